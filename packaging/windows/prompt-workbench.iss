; Inno Setup script for Prompt Workbench (Inno Setup 6). Packs the one-folder PyInstaller bundle
; (dist\prompt-workbench, built by PyInstaller from packaging\prompt-workbench.spec on Windows)
; into dist\prompt-workbench-VERSION-windows-x64-setup.exe, with a Start-menu entry, an optional
; desktop icon and an uninstaller (Settings > Apps, or the Start-menu "Uninstall" entry).
;
; Build (the release workflow does this):
;   iscc /DAppVersion=0.1.0 packaging\windows\prompt-workbench.iss
; AppVersion defaults to the version below; the workflow passes the one in pyproject.toml.
; Signing (optional): define a sign tool named "signtool" and pass /DSignTool=signtool, e.g.
;   iscc "/Ssigntool=signtool.exe sign /fd sha256 /td sha256 /tr http://timestamp.digicert.com
;         /f cert.pfx /p PASSWORD $f" /DSignTool=signtool packaging\windows\prompt-workbench.iss
; Then the installer and the uninstaller are signed; without it, both are unsigned.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Prompt Workbench"
#define AppExeName "prompt-workbench.exe"
#define SourceDir "..\..\dist\prompt-workbench"

[Setup]
; A fixed AppId ties upgrades and the uninstaller to one installation: never change it.
AppId={{6F0B6B1E-3C55-4B0E-9A57-2D6C1F4E8A21}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Prompt Workbench developers
AppPublisherURL=https://github.com/prompt-workbench/prompt-workbench
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install without admin rights by default; the user may choose all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=prompt-workbench-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\prompt-workbench.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
#ifdef SignTool
SignTool={#SignTool}
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add prompt-workbench-cli to the PATH (headless commands)"; GroupDescription: "Command line:"; Flags: unchecked

[Registry]
; The user's PATH (HKCU), so no admin rights are needed; removed again by the uninstaller.
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Files]
; The whole bundle: prompt-workbench.exe (windowed), prompt-workbench-cli.exe (console, for
; `run`, `count`, `export` and `--self-test`) and _internal\ (Python, Qt, resources, tokenizer).
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{userdocs}"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Path) then
    Path := '';
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Path, Dir: string;
  Index: Integer;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Path) then
    exit;
  Dir := ExpandConstant('{app}');
  Index := Pos(';' + Uppercase(Dir), Uppercase(Path));
  if Index > 0 then
  begin
    Delete(Path, Index, Length(Dir) + 1);
    RegWriteExpandStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Path);
  end;
end;

[UninstallDelete]
; Only what the installer put there: settings, history and autosaves in %APPDATA% stay, and so do
; the keys in the Windows Credential Locker.
Type: filesandordirs; Name: "{app}\_internal"
