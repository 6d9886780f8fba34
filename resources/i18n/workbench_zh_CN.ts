<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AppContext</name>
    <message>
        <source>Using the list of {date}.</source>
        <extracomment>How long a status message stays, in milliseconds, unless the caller says otherwise. Background work owned by the window as a whole (features keep their own sets).</extracomment>
        <translation>使用 {date} 的列表。</translation>
    </message>
    <message>
        <source>Using the catalog.</source>
        <translation>使用模型目录。</translation>
    </message>
    <message>
        <source>{provider}&apos;s model list was not loaded: {reason} {kept}</source>
        <translation>{provider} 的模型列表未能加载：{reason} {kept}</translation>
    </message>
</context>
<context>
    <name>AssertionResults</name>
    <message>
        <source>expected {expected}, got {got}</source>
        <extracomment>Asks a grader model: (the messages to send, provider id or None, model id or None) -&gt; Grade.</extracomment>
        <translation>应为 {expected}，实际为 {got}</translation>
    </message>
    <message>
        <source>expected anything but {expected}</source>
        <translation>应为 {expected} 以外的任何内容</translation>
    </message>
    <message>
        <source>expected JSON {expected}, got {got}</source>
        <translation>应为 JSON {expected}，实际为 {got}</translation>
    </message>
    <message>
        <source>expected anything but JSON {expected}</source>
        <translation>应为 JSON {expected} 以外的任何内容</translation>
    </message>
    <message>
        <source>expected to contain {value}</source>
        <translation>应包含 {value}</translation>
    </message>
    <message>
        <source>expected not to contain {value}</source>
        <translation>不应包含 {value}</translation>
    </message>
    <message>
        <source>expected to contain {value} (any case)</source>
        <translation>应包含 {value}（不区分大小写）</translation>
    </message>
    <message>
        <source>expected not to contain {value} (any case)</source>
        <translation>不应包含 {value}（不区分大小写）</translation>
    </message>
    <message>
        <source>expected to start with {value}, got {got}</source>
        <translation>应以 {value} 开头，实际为 {got}</translation>
    </message>
    <message>
        <source>starts with {value}</source>
        <translation>以 {value} 开头</translation>
    </message>
    <message>
        <source>expected not to start with {value}</source>
        <translation>不应以 {value} 开头</translation>
    </message>
    <message>
        <source>expected to match {pattern}</source>
        <translation>应匹配 {pattern}</translation>
    </message>
    <message>
        <source>matches {match}</source>
        <translation>匹配到 {match}</translation>
    </message>
    <message>
        <source>expected not to match {pattern} (matched {match})</source>
        <translation>不应匹配 {pattern}（匹配到了 {match}）</translation>
    </message>
    <message>
        <source>equal</source>
        <translation>相等</translation>
    </message>
    <message>
        <source>contains {value}</source>
        <translation>包含 {value}</translation>
    </message>
    <message>
        <source>expected to contain any of {values}</source>
        <translation>应包含 {values} 中的任意一个</translation>
    </message>
    <message>
        <source>expected to contain none of {values} (found {value})</source>
        <translation>不应包含 {values} 中的任何一个（找到了 {value}）</translation>
    </message>
    <message>
        <source>contains all of {values}</source>
        <translation>包含 {values} 全部</translation>
    </message>
    <message>
        <source>expected not to contain all of {values}</source>
        <translation>不应同时包含 {values}</translation>
    </message>
    <message>
        <source>{path}: expected {types}, got {type}</source>
        <translation>{path}：应为 {types}，实际为 {type}</translation>
    </message>
    <message>
        <source>{path}: missing required property {name}</source>
        <translation>{path}：缺少必需的属性 {name}</translation>
    </message>
    <message>
        <source>{path}: expected one of {values}</source>
        <translation>{path}：应为 {values} 之一</translation>
    </message>
    <message>
        <source>not valid JSON ({error})</source>
        <translation>不是有效的 JSON（{error}）</translation>
    </message>
    <message>
        <source>expected to contain JSON, found none</source>
        <translation>应包含 JSON，但没有找到</translation>
    </message>
    <message>
        <source>valid JSON</source>
        <translation>有效的 JSON</translation>
    </message>
    <message>
        <source>expected not to be valid JSON</source>
        <translation>不应是有效的 JSON</translation>
    </message>
    <message>
        <source>expected not to contain JSON</source>
        <translation>不应包含 JSON</translation>
    </message>
    <message>
        <source>valid JSON, matches the schema</source>
        <translation>有效的 JSON，符合 schema</translation>
    </message>
    <message>
        <source>expected JSON not matching the schema</source>
        <translation>应为不符合 schema 的 JSON</translation>
    </message>
    <message>
        <source>expected a tool call, the answer has none</source>
        <translation>应有工具调用，但回答中没有</translation>
    </message>
    <message>
        <source>expected no valid tool call</source>
        <translation>不应有有效的工具调用</translation>
    </message>
    <message>
        <source>valid call of {names}</source>
        <translation>有效地调用了 {names}</translation>
    </message>
    <message>
        <source>expected no valid tool call (called {names})</source>
        <translation>不应有有效的工具调用（调用了 {names}）</translation>
    </message>
    <message>
        <source>cost unknown (the model has no price in the catalog)</source>
        <translation>费用未知（模型目录中没有该模型的价格）</translation>
    </message>
    <message>
        <source>cost {cost}, expected at most {limit}</source>
        <translation>费用 {cost}，应不超过 {limit}</translation>
    </message>
    <message>
        <source>cost {cost}</source>
        <translation>费用 {cost}</translation>
    </message>
    <message>
        <source>cost {cost}, expected more than {limit}</source>
        <translation>费用 {cost}，应超过 {limit}</translation>
    </message>
    <message>
        <source>latency unknown (the run did not finish)</source>
        <translation>延迟未知（运行没有完成）</translation>
    </message>
    <message>
        <source>took {ms} ms, expected at most {limit} ms</source>
        <translation>用时 {ms} 毫秒，应不超过 {limit} 毫秒</translation>
    </message>
    <message>
        <source>took {ms} ms</source>
        <translation>用时 {ms} 毫秒</translation>
    </message>
    <message>
        <source>took {ms} ms, expected more than {limit} ms</source>
        <translation>用时 {ms} 毫秒，应超过 {limit} 毫秒</translation>
    </message>
    <message>
        <source>expected {type} to fail</source>
        <translation>{type} 应不通过</translation>
    </message>
    <message>
        <source>no grader available for llm-rubric</source>
        <translation>没有可用于 llm-rubric 的评分模型</translation>
    </message>
    <message>
        <source>meets the rubric</source>
        <translation>符合评分标准</translation>
    </message>
    <message>
        <source>does not meet the rubric</source>
        <translation>不符合评分标准</translation>
    </message>
    <message>
        <source>score {score} (threshold {threshold}): {reason}</source>
        <translation>得分 {score}（阈值 {threshold}）：{reason}</translation>
    </message>
    <message>
        <source>expected not to meet the rubric: {reason}</source>
        <translation>不应符合评分标准：{reason}</translation>
    </message>
    <message>
        <source>the grader gave no verdict: {reply}</source>
        <translation>评分模型没有给出结论：{reply}</translation>
    </message>
</context>
<context>
    <name>Assertions</name>
    <message>
        <source>{key} is not supported: it runs JavaScript or Python code, which the app never does</source>
        <extracomment>Types taking a text value (or, for the ``-any``/``-all`` ones, a list of texts). promptfoo keys whose meaning is running code or that the app does not have.</extracomment>
        <translation>不支持 {key}：它会运行 JavaScript 或 Python 代码，本应用从不运行代码</translation>
    </message>
    <message>
        <source>{key} is not supported: it per-assertion config is not supported</source>
        <translation>不支持 {key}：不支持逐条断言的配置</translation>
    </message>
    <message>
        <source>an assertion must be an object with a type</source>
        <extracomment>The variables a ``rubricPrompt`` always has (besides the case&apos;s own). Template syntax beyond ``{{name}}`` (Nunjucks tags, filters, expressions): never evaluated. How long a quoted value may be in a reason before it is shortened.</extracomment>
        <translation>断言必须是带有 type 的对象</translation>
    </message>
    <message>
        <source>needs a type (contains, equals, is-json, llm-rubric...)</source>
        <translation>需要 type（contains、equals、is-json、llm-rubric……）</translation>
    </message>
    <message>
        <source>unknown assertion type {kind} (known: {known})</source>
        <translation>未知的断言类型 {kind}（已知：{known}）</translation>
    </message>
    <message>
        <source>unknown key {key} (an assertion takes {known})</source>
        <translation>未知的键 {key}（断言可用的键：{known}）</translation>
    </message>
    <message>
        <source>{kind} needs a text value</source>
        <translation>{kind} 需要文本值</translation>
    </message>
    <message>
        <source>invalid regular expression: {error}</source>
        <translation>无效的正则表达式：{error}</translation>
    </message>
    <message>
        <source>{kind} needs a list of texts (or one text with commas)</source>
        <translation>{kind} 需要文本列表（或一个用逗号分隔的文本）</translation>
    </message>
    <message>
        <source>must be a JSON Schema object (or left out)</source>
        <translation>必须是 JSON Schema 对象（或省略）</translation>
    </message>
    <message>
        <source>{kind} needs a threshold (USD)</source>
        <translation>{kind} 需要阈值（美元）</translation>
    </message>
    <message>
        <source>{kind} needs a threshold (milliseconds)</source>
        <translation>{kind} 需要阈值（毫秒）</translation>
    </message>
    <message>
        <source>threshold must be a number ≥ 0, not {value}</source>
        <translation>threshold 必须是 ≥ 0 的数字，而不是 {value}</translation>
    </message>
    <message>
        <source>llm-rubric needs the rubric as its value</source>
        <translation>llm-rubric 需要以评分标准作为其 value</translation>
    </message>
    <message>
        <source>threshold must be a score from 0 to 1, not {value}</source>
        <translation>threshold 必须是 0 到 1 之间的分数，而不是 {value}</translation>
    </message>
    <message>
        <source>{key} must be a text (an id)</source>
        <translation>{key} 必须是文本（一个 id）</translation>
    </message>
    <message>
        <source>only llm-rubric takes a rubricPrompt</source>
        <translation>只有 llm-rubric 接受 rubricPrompt</translation>
    </message>
    <message>
        <source>weight must be a number ≥ 0, not {value}</source>
        <translation>weight 必须是 ≥ 0 的数字，而不是 {value}</translation>
    </message>
    <message>
        <source>rubricPrompt is empty</source>
        <translation>rubricPrompt 是空的</translation>
    </message>
    <message>
        <source>rubricPrompt must be a text or a list of {message} messages</source>
        <translation>rubricPrompt 必须是文本，或由 {message} 消息组成的列表</translation>
    </message>
    <message>
        <source>{place}: a message is {message}</source>
        <translation>{place}：一条消息的形式是 {message}</translation>
    </message>
    <message>
        <source>{place}: system, user or assistant, not {role}</source>
        <translation>{place}：应为 system、user 或 assistant，而不是 {role}</translation>
    </message>
    <message>
        <source>{place}: must be a text (images are not taken)</source>
        <translation>{place}：必须是文本（不接受图片）</translation>
    </message>
    <message>
        <source>{place}: only {variable} variables are filled in; template code ({code}…) is never run</source>
        <translation>{place}：只会填入 {variable} 形式的变量；模板代码（{code}…）永远不会被执行</translation>
    </message>
    <message>
        <source>rubricPrompt never shows the grader the answer: use {output}</source>
        <translation>rubricPrompt 没有把回答交给评分模型：请使用 {output}</translation>
    </message>
</context>
<context>
    <name>AssertionsDialog</name>
    <message>
        <source>One JSON object per assertion, e.g. {&quot;type&quot;: &quot;icontains&quot;, &quot;value&quot;: &quot;Kelvin&quot;}, {&quot;type&quot;: &quot;is-json&quot;, &quot;value&quot;: {JSON Schema}}, {&quot;type&quot;: &quot;latency&quot;, &quot;threshold&quot;: 3000}; prefix a type with not- to negate it.</source>
        <extracomment>How long finished cells wait to be committed together (a crash loses at most this much). Run › Run evaluation.</extracomment>
        <translation>每个断言一个 JSON 对象，例如 {&quot;type&quot;: &quot;icontains&quot;, &quot;value&quot;: &quot;Kelvin&quot;}、{&quot;type&quot;: &quot;is-json&quot;, &quot;value&quot;: {JSON Schema}}、{&quot;type&quot;: &quot;latency&quot;, &quot;threshold&quot;: 3000}；在类型前加 not- 表示取反。</translation>
    </message>
    <message>
        <source>Line {lineno}, column {colno}: {msg}</source>
        <translation>第 {lineno} 行，第 {colno} 列：{msg}</translation>
    </message>
    <message>
        <source>The assertions must be a JSON array: [ {...}, {...} ]</source>
        <translation>断言必须是 JSON 数组：[ {...}, {...} ]</translation>
    </message>
</context>
<context>
    <name>AutosaveWarning</name>
    <message>
        <source>Autosave failed: {reason}</source>
        <translation>自动保存失败：{reason}</translation>
    </message>
    <message>
        <source>Your changes are not autosaved. Save them (Ctrl+S), or free space and keep working: the next autosave tries again.</source>
        <translation>你的更改未被自动保存。请保存（Ctrl+S），或释放磁盘空间后继续工作：下次自动保存会再试。</translation>
    </message>
    <message>
        <source>Autosave failed: {reason}. Save your work.</source>
        <translation>自动保存失败：{reason}。请保存你的工作。</translation>
    </message>
</context>
<context>
    <name>Catalog</name>
    <message>
        <source>{model} was retired on {when}: switch to {other}.</source>
        <extracomment>How a model takes a prefilled (partial) answer: ``yes``; ``no`` (refused by the API); ``thinking_off`` (accepted only with thinking off, as Qwen does). How thinking is controlled: ``none`` (no thinking), ``toggle`` (``thinking: {type}``), ``effort`` (``reasoning_effort`` levels), ``always`` (on, cannot be turned off). The body field that limits the output. The largest output the model produces (None: unknown). The body field that limits the output (``max_tokens`` or ``max_completion_tokens``). Cache-write prices per retention (``{&quot;5m&quot;: 3.75, &quot;1h&quot;: 6.0}``) where they are priced. Sampling parameters the model fixes: name -&gt; value, or ``{&quot;thinking&quot;: v, &quot;plain&quot;: v}``. What the API does with another value of a fixed parameter: ``refused`` or ``ignored``. The date (or year) the provider retired this id; empty while it is served. The id to use instead of a retired one. What else is known (a conflict between sources, an unpublished figure). A routing alias (``moonshot-v1-auto``): picks a model of its family by the request&apos;s size. Only known because the provider lists it: nothing about it is known.</extracomment>
        <translation>{model} 已于 {when} 停用：请切换到 {other}。</translation>
    </message>
    <message>
        <source>{model} was retired in {when}: switch to {other}.</source>
        <translation>{model} 已于 {when} 停用：请切换到 {other}。</translation>
    </message>
    <message>
        <source>{model} was retired on {when}.</source>
        <translation>{model} 已于 {when} 停用。</translation>
    </message>
    <message>
        <source>{model} was retired in {when}.</source>
        <translation>{model} 已于 {when} 停用。</translation>
    </message>
</context>
<context>
    <name>CellDialog</name>
    <message>
        <source>Test {test} · {variant}</source>
        <translation>测试 {test} · {variant}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{description}&lt;/b&gt;&lt;br&gt;</source>
        <translation>&lt;b&gt;{description}&lt;/b&gt;&lt;br&gt;</translation>
    </message>
    <message>
        <source> (weight {weight:g})</source>
        <translation>（权重 {weight:g}）</translation>
    </message>
    <message>
        <source>score {score:.2f}</source>
        <translation>得分 {score:.2f}</translation>
    </message>
    <message>
        <source>{prompt} + {completion} tokens</source>
        <translation>{prompt} + {completion} tokens</translation>
    </message>
    <message>
        <source>Baseline: {was} → now {now}</source>
        <translation>基线：{was} → 现在 {now}</translation>
    </message>
    <message>
        <source> · cost {delta:+.6f}</source>
        <translation> · 费用 {delta:+.6f}</translation>
    </message>
    <message>
        <source> · latency {delta:+.0f} ms</source>
        <translation> · 延迟 {delta:+.0f} 毫秒</translation>
    </message>
    <message>
        <source> · the answer changed:</source>
        <translation> · 回答有变化：</translation>
    </message>
    <message>
        <source> · same answer</source>
        <translation> · 回答相同</translation>
    </message>
</context>
<context>
    <name>ComparePane</name>
    <message>
        <source>The variant&apos;s label</source>
        <extracomment>Why the last run is not in the history (a failed write), or None.</extracomment>
        <translation>变体的标签</translation>
    </message>
    <message>
        <source>Move this column left</source>
        <translation>将此列左移</translation>
    </message>
    <message>
        <source>Move this column right</source>
        <translation>将此列右移</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Duplicate variant</source>
        <translation>复制变体</translation>
    </message>
    <message>
        <source>Remove this variant</source>
        <translation>移除此变体</translation>
    </message>
    <message>
        <source>This column&apos;s thinking (the model&apos;s own control)</source>
        <translation>此列的思考模式（模型自身的控制方式）</translation>
    </message>
    <message>
        <source>Own system message</source>
        <translation>独立的系统消息</translation>
    </message>
    <message>
        <source>Replaces the workspace&apos;s system message</source>
        <translation>替换工作区的系统消息</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation>思考</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run (or rerun) this variant alone</source>
        <translation>单独运行（或重新运行）此变体</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Use this answer</source>
        <translation>使用此回答</translation>
    </message>
    <message>
        <source>Add this answer to the conversation as an assistant message</source>
        <translation>将此回答作为 assistant 消息加入对话</translation>
    </message>
    <message>
        <source>Markdown</source>
        <translation>Markdown</translation>
    </message>
    <message>
        <source>Show the answer rendered as Markdown</source>
        <translation>以 Markdown 渲染显示回答</translation>
    </message>
    <message>
        <source>Pretty JSON</source>
        <translation>格式化 JSON</translation>
    </message>
    <message>
        <source>The answer streams here.</source>
        <translation>回答会在这里逐步显示。</translation>
    </message>
    <message>
        <source>The model&apos;s reasoning, shown apart from the answer</source>
        <extracomment>The diff marks shown (spans and the name of their colour), repainted on a theme switch.</extracomment>
        <translation>模型的推理过程，与回答分开显示</translation>
    </message>
    <message>
        <source>Not run yet.</source>
        <translation>尚未运行。</translation>
    </message>
    <message>
        <source>Rerun</source>
        <translation>重新运行</translation>
    </message>
    <message>
        <source>Looking up the key and a free slot…</source>
        <translation>正在查找密钥和空闲名额…</translation>
    </message>
    <message>
        <source>Sent to {provider}: waiting for its first token…</source>
        <translation>已发送到 {provider}：等待第一个词元…</translation>
    </message>
    <message>
        <source>Streaming…</source>
        <translation>生成中…</translation>
    </message>
    <message>
        <source>Thinking… ({count} characters of reasoning)</source>
        <translation>思考中…（推理 {count} 个字符）</translation>
    </message>
    <message>
        <source>Calling {tool}…</source>
        <translation>正在调用 {tool}…</translation>
    </message>
    <message>
        <source>a tool</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>Waiting for a free slot on {provider} ({running} of {limit} running)</source>
        <translation>等待 {provider} 的空闲名额（{limit} 个中已有 {running} 个在运行）</translation>
    </message>
    <message>
        <source>– {count} more waiting ahead</source>
        <translation>– 前面还有 {count} 个在等待</translation>
    </message>
    <message>
        <source>✓ valid JSON</source>
        <translation>✓ 有效 JSON</translation>
    </message>
    <message>
        <source>✗ invalid JSON</source>
        <translation>✗ 无效 JSON</translation>
    </message>
    <message>
        <source>The answer parses as JSON.</source>
        <translation>回答可以解析为 JSON。</translation>
    </message>
    <message>
        <source>Not valid JSON: {error}</source>
        <translation>不是有效的 JSON：{error}</translation>
    </message>
    <message>
        <source>{count} tool call(s)</source>
        <translation>{count} 次工具调用</translation>
    </message>
    <message>
        <source>Stopped: the text received so far is kept.</source>
        <translation>已停止：已收到的文字会保留。</translation>
    </message>
    <message>
        <source>Not saved in the history: {reason}</source>
        <translation>未保存到历史记录：{reason}</translation>
    </message>
    <message>
        <source>Finished.</source>
        <translation>已完成。</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>+ Add variant</source>
        <extracomment>Streamed text is added to a column in batches at most this often: a repaint per batch, not per chunk. The drawing timer&apos;s tick. Each tick draws one column (the one waiting longest), so that with eight columns streaming no single tick holds the UI thread for eight relayouts. The preflight (fit, cost, prefill) is recomputed this long after the last edit. How often the columns ask again for token counts while the tokenizer is loading. The cards the current comparison ran over (an answer card not among them was added by *Use this answer*: the next winner becomes its alternate). Diffs, exports, history reads and the comparison run (the view&apos;s background work). Index of the first variant shown (a multiple of MAX_VARIANTS).</extracomment>
        <translation>+ 添加变体</translation>
    </message>
    <message>
        <source>Add a column ({MIN_VARIANTS} to {MAX_VARIANTS} variants)</source>
        <translation>添加一列（{MIN_VARIANTS} 到 {MAX_VARIANTS} 个变体）</translation>
    </message>
    <message>
        <source>Run all</source>
        <translation>全部运行</translation>
    </message>
    <message>
        <source>Stop all</source>
        <translation>全部停止</translation>
    </message>
    <message>
        <source>Sync scrolling</source>
        <translation>同步滚动</translation>
    </message>
    <message>
        <source>Diff</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Highlight the words that differ between the two columns</source>
        <translation>高亮两列之间不同的词</translation>
    </message>
    <message>
        <source>Past comparisons</source>
        <translation>过往对比</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>As Markdown…</source>
        <translation>导出为 Markdown…</translation>
    </message>
    <message>
        <source>As JSON…</source>
        <translation>导出为 JSON…</translation>
    </message>
    <message>
        <source>◀ Previous {count}</source>
        <translation>◀ 上 {count} 个</translation>
    </message>
    <message>
        <source>Next {count} ▶</source>
        <translation>下 {count} 个 ▶</translation>
    </message>
    <message>
        <source>This workspace has {count} variants: Compare shows {shown} at a time, the first {shown} now (Next {shown} in the Compare tab shows the others). Every variant is kept when you save.</source>
        <translation>此工作区有 {count} 个变体：对比每次显示 {shown} 个，现在显示前 {shown} 个（在对比标签页点“下 {shown} 个”查看其余变体）。保存时所有变体都会保留。</translation>
    </message>
    <message>
        <source>Variants {first}–{last} of {total} are shown: Compare runs at most {shown} at once. All {total} stay in the workspace and its file.</source>
        <translation>显示第 {first}–{last} 个变体，共 {total} 个：对比一次最多运行 {shown} 个。全部 {total} 个变体都保留在工作区及其文件中。</translation>
    </message>
    <message>
        <source>Run every variant at once</source>
        <translation>同时运行所有变体</translation>
    </message>
    <message>
        <source>Add at least {MIN_VARIANTS} variants to compare</source>
        <translation>至少添加 {MIN_VARIANTS} 个变体才能对比</translation>
    </message>
    <message>
        <source>Add {value0} more variant(s) to compare: each column sends the same conversation with its own provider, model or settings.</source>
        <translation>再添加 {value0} 个变体即可对比：每一列用各自的服务商、模型或设置发送同一段对话。</translation>
    </message>
    <message>
        <source>Add variant {label}</source>
        <translation>添加变体 {label}</translation>
    </message>
    <message>
        <source>Duplicate variant {label}</source>
        <translation>复制变体 {label}</translation>
    </message>
    <message>
        <source>Set provider of variant {label}</source>
        <translation>设置变体 {label} 的服务商</translation>
    </message>
    <message>
        <source>Set model of variant {label}</source>
        <translation>设置变体 {label} 的模型</translation>
    </message>
    <message>
        <source>Choose two different columns.</source>
        <translation>请选择两个不同的列。</translation>
    </message>
    <message>
        <source>Diff shown once both answers are complete.</source>
        <translation>两个回答都完成后显示差异。</translation>
    </message>
    <message>
        <source>Identical.</source>
        <translation>完全相同。</translation>
    </message>
    <message>
        <source>{ratio:.0%} similar</source>
        <translation>相似度 {ratio:.0%}</translation>
    </message>
    <message>
        <source>No diff: {error}</source>
        <translation>无法比较差异：{error}</translation>
    </message>
    <message>
        <source>Use the answer of {label}</source>
        <translation>使用 {label} 的回答</translation>
    </message>
    <message>
        <source>the column&apos;s system message</source>
        <translation>该列的系统消息</translation>
    </message>
    <message>
        <source>Use its settings too?</source>
        <translation>也使用它的设置吗？</translation>
    </message>
    <message>
        <source>Adopt the settings of {label} for the workspace?</source>
        <translation>将 {label} 的设置用于工作区？</translation>
    </message>
    <message>
        <source>Adopt the settings of {label}</source>
        <translation>采用 {label} 的设置</translation>
    </message>
    <message>
        <source>Adopt the system message</source>
        <translation>采用系统消息</translation>
    </message>
    <message>
        <source>{name} comparison{suffix}</source>
        <translation>{name} 对比{suffix}</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown 文件 (*.md)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
        <source>Not exported</source>
        <translation>未导出</translation>
    </message>
    <message>
        <source>Cannot write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <source>No history</source>
        <translation>没有历史记录</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>History unavailable: {error}</source>
        <translation>历史记录不可用：{error}</translation>
    </message>
    <message>
        <source>No comparisons yet</source>
        <translation>还没有对比</translation>
    </message>
    <message>
        <source>Cannot reopen</source>
        <translation>无法重新打开</translation>
    </message>
    <message>
        <source>Reopen comparison {when}</source>
        <translation>重新打开 {when} 的对比</translation>
    </message>
    <message>
        <source>Unknown provider {provider!r}.</source>
        <translation>未知的服务商 {provider!r}。</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Answer added to the conversation.</source>
        <translation>回答已加入对话。</translation>
    </message>
    <message>
        <source>Exported {path}</source>
        <translation>已导出 {path}</translation>
    </message>
</context>
<context>
    <name>ContentEdit</name>
    <message>
        <source>Message content…</source>
        <extracomment>Height of the header row of a card (role, name, partial, actions). Margins of a card&apos;s frame, and the gap between cards. The card&apos;s frame: the role&apos;s colour stripe on the left, a 1 px line elsewhere. The gap between the header, the content and the detail area in a card. The content editor grows with its text up to this height, then scrolls inside. Long words (base64, minified code) wrap anywhere rather than run off the card in one line. A text with a &quot;word&quot; this long wraps anywhere: looking for a word boundary in megabytes of base64 took Qt minutes (a search per line through the rest of the word). Characters laid out to tell whether a text reaches the tallest card: a card at its tallest shows some 25 lines, and no line of a card holds more than a few hundred characters. A card shows at most this much of a longer text until the user goes into it: laying out a 3 MB line took seconds per editor (and more than once while a window opens), and the tallest card shows a few thousand characters anyway. The whole text is loaded for editing. Going into a card with a line longer than this takes Qt a noticeable time (a line of 3 MB: seconds, whatever the wrapping): the card says so while it loads. While an answer streams in, its card shows the last 5,000 to 10,000 characters of it (the tallest card shows some 25 lines): a flush lays out its new text, never the whole answer.</extracomment>
        <translation>消息内容…</translation>
    </message>
</context>
<context>
    <name>ConversationEditor</name>
    <message>
        <source>Duplicate message {number}</source>
        <translation>复制第 {number} 条消息</translation>
    </message>
    <message>
        <source>Show answer {value0} of {value1}</source>
        <translation>显示第 {value0} 个回答（共 {value1} 个）</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>新消息</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>Prompt workspaces (*.prompt.json);;JSON files (*.json);;promptfoo configs (*.yaml *.yml);;All files (*)</source>
        <extracomment>The buttons of :func:`ask` (``QMessageBox.StandardButton``).</extracomment>
        <translation>提示词工作区 (*.prompt.json);;JSON 文件 (*.json);;promptfoo 配置 (*.yaml *.yml);;所有文件 (*)</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON 文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Open workspace</source>
        <translation>打开工作区</translation>
    </message>
    <message>
        <source>Save workspace</source>
        <translation>保存工作区</translation>
    </message>
    <message>
        <source>Test cases (*.csv *.jsonl *.tsv);;CSV (*.csv);;JSON Lines (*.jsonl);;All files (*)</source>
        <translation>测试用例 (*.csv *.jsonl *.tsv);;CSV (*.csv);;JSON Lines (*.jsonl);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Import test cases</source>
        <translation>导入测试用例</translation>
    </message>
    <message>
        <source>Export test cases</source>
        <translation>导出测试用例</translation>
    </message>
</context>
<context>
    <name>DocumentActions</name>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>Save the changes to {value0}?</source>
        <translation>保存对 {value0} 的更改？</translation>
    </message>
    <message>
        <source>Your changes are lost if you don&apos;t save them.</source>
        <translation>不保存的话，你的更改将会丢失。</translation>
    </message>
    <message>
        <source>Cannot open workspace</source>
        <translation>无法打开工作区</translation>
    </message>
    <message>
        <source>It was moved or deleted; it is no longer listed in Open recent.</source>
        <translation>文件已被移动或删除，不再列于“最近打开”中。</translation>
    </message>
    <message>
        <source>The file was not changed.</source>
        <translation>文件未被修改。</translation>
    </message>
    <message>
        <source>Opened {path}</source>
        <translation>已打开 {path}</translation>
    </message>
    <message>
        <source>Cannot open example</source>
        <translation>无法打开示例</translation>
    </message>
    <message>
        <source>File changed on disk</source>
        <translation>文件已在磁盘上被更改</translation>
    </message>
    <message>
        <source>{name} was changed outside Prompt Workbench since you opened it.</source>
        <translation>自你打开以来，{name} 已在 Prompt Workbench 之外被更改。</translation>
    </message>
    <message>
        <source>Save overwrites those changes with yours. Cancel leaves the file as it is; Save as keeps your work in another file.</source>
        <translation>“保存”会用你的更改覆盖那些更改。“取消”保持文件不变；“另存为”可将你的工作保存到另一个文件。</translation>
    </message>
    <message>
        <source>Not saved: {name} changed on disk.</source>
        <translation>未保存：{name} 已在磁盘上被更改。</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>Cannot write {path}: {value1}</source>
        <translation>无法写入 {path}：{value1}</translation>
    </message>
    <message>
        <source>Your work is still here; choose another place with Save as.</source>
        <translation>你的工作仍在；请用“另存为”选择其他位置。</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>Cannot import</source>
        <translation>无法导入</translation>
    </message>
    <message>
        <source>Imported for {name}, the provider of {id}.</source>
        <translation>已为 {id} 的服务商 {name} 导入。</translation>
    </message>
    <message>
        <source>The clipboard holds no text to import.</source>
        <translation>剪贴板中没有可导入的文本。</translation>
    </message>
    <message>
        <source>Cannot import the clipboard</source>
        <translation>无法导入剪贴板内容</translation>
    </message>
    <message>
        <source>Copy an OpenAI request body or a JSON array of messages.</source>
        <translation>请复制 OpenAI 请求体或 JSON 消息数组。</translation>
    </message>
    <message>
        <source>an untitled workspace</source>
        <translation>一个未命名的工作区</translation>
    </message>
    <message>
        <source>Recover unsaved work?</source>
        <translation>恢复未保存的工作？</translation>
    </message>
    <message>
        <source>There are unsaved changes to {what} from {when}.</source>
        <translation>{what} 有 {when} 未保存的更改。</translation>
    </message>
    <message>
        <source>Yes opens them (save to keep them); No deletes them; Ignore keeps them for the next start.</source>
        <translation>“是”打开它们（保存后才会保留）；“否”删除它们；“忽略”留到下次启动。</translation>
    </message>
    <message>
        <source>Cannot recover</source>
        <translation>无法恢复</translation>
    </message>
    <message>
        <source>More unsaved copies kept: {count}, offered again at the next start.</source>
        <translation>另有 {count} 份未保存的副本已保留，下次启动时会再次提供。</translation>
    </message>
</context>
<context>
    <name>DragGrip</name>
    <message>
        <source>Drag to move this message (or Alt+Up / Alt+Down)</source>
        <extracomment>A line above the text, inside the editor: how much of an answer streaming in is above what is shown, or why the window waits while a very long line is laid out.</extracomment>
        <translation>拖动以移动此消息（或 Alt+Up / Alt+Down）</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <source>Start a conversation</source>
        <translation>开始对话</translation>
    </message>
    <message>
        <source>Each message is a card. Add your API key once, then open an example, paste a request body from your code, or write the first message yourself.</source>
        <translation>每条消息是一张卡片。先添加一次 API 密钥，然后打开示例、粘贴代码中的请求体，或自己写第一条消息。</translation>
    </message>
    <message>
        <source>Add a Moonshot API key…</source>
        <translation>添加 Moonshot API 密钥…</translation>
    </message>
    <message>
        <source>Opens Settings › Providers and keys at the key field</source>
        <translation>打开“设置 › 服务商与密钥”并定位到密钥输入框</translation>
    </message>
    <message>
        <source>Open an example:</source>
        <translation>打开示例：</translation>
    </message>
    <message>
        <source>Paste a request body (Ctrl+Shift+V)</source>
        <extracomment>One button per bundled example (object name ``emptyExampleButton``).</extracomment>
        <translation>粘贴请求体（Ctrl+Shift+V）</translation>
    </message>
    <message>
        <source>An OpenAI-style request body or a JSON array of messages from the clipboard</source>
        <translation>剪贴板中的 OpenAI 格式请求体或 JSON 消息数组</translation>
    </message>
    <message>
        <source>Write the first message (Ctrl+N)</source>
        <translation>写第一条消息（Ctrl+N）</translation>
    </message>
    <message>
        <source>Adds an empty user message</source>
        <translation>添加一条空的 user 消息</translation>
    </message>
</context>
<context>
    <name>EvalGrid</name>
    <message>
        <source>queued</source>
        <extracomment>Finished cells shown in one pass of the event loop, at most (the rest wait for the next)... ...and for at most this long, so that a burst of finished cells never stalls the UI. The palette colour (``workbench.ui.common.palette``) of a cell, by status. A role with the cell&apos;s :class:`CellState` (for the detail dialog and tests). Why a queued cell waits (the engine&apos;s event), None before the engine says.</extracomment>
        <translation>排队中</translation>
    </message>
    <message>
        <source>queued: {provider} {running} of {limit} running</source>
        <translation>排队中：{provider} 已有 {running}/{limit} 个在运行</translation>
    </message>
    <message>
        <source>streaming… {chars} chars{extra}</source>
        <translation>生成中… {chars} 个字符{extra}</translation>
    </message>
    <message>
        <source>⚠ ERROR</source>
        <translation>⚠ 错误</translation>
    </message>
    <message>
        <source>✓ PASS</source>
        <translation>✓ 通过</translation>
    </message>
    <message>
        <source>✗ FAIL</source>
        <translation>✗ 失败</translation>
    </message>
    <message>
        <source>new</source>
        <translation>新</translation>
    </message>
    <message>
        <source>▼ newly failing (was {was})</source>
        <translation>▼ 新失败（原为 {was}）</translation>
    </message>
    <message>
        <source>▲ newly passing (was {was})</source>
        <translation>▲ 新通过（原为 {was}）</translation>
    </message>
    <message>
        <source>was {was}</source>
        <translation>原为 {was}</translation>
    </message>
    <message>
        <source>Δ text</source>
        <translation>Δ 文本</translation>
    </message>
    <message>
        <source>cost {delta:+.5f}</source>
        <translation>费用 {delta:+.5f}</translation>
    </message>
    <message>
        <source>Waiting for its turn to be sent.</source>
        <translation>等待轮到发送。</translation>
    </message>
    <message>
        <source>Waiting for a free slot: at most {limit} run(s) of {provider} stream at once (Settings), {ahead} queued before this one when it was queued.</source>
        <translation>等待空闲名额：{provider} 最多同时运行 {limit} 个（设置），排队时前面还有 {ahead} 个。</translation>
    </message>
    <message>
        <source>Double-click for the full answer.</source>
        <translation>双击查看完整回答。</translation>
    </message>
</context>
<context>
    <name>Evaluation</name>
    <message>
        <source>Stopped before it finished.</source>
        <extracomment>The label of the column when the workspace has no variants and runs itself. The error of a cell that Stop ended before it finished.</extracomment>
        <translation>在完成前被停止。</translation>
    </message>
</context>
<context>
    <name>Examples</name>
    <message>
        <source>Product JSON extraction</source>
        <extracomment>The titles of the bundled examples, by file name (an example not listed here is titled after its file name, untranslated: add it here when you add an example).</extracomment>
        <translation>产品信息 JSON 提取</translation>
    </message>
    <message>
        <source>Role play: Dr. Kelsier</source>
        <translation>角色扮演：Kelsier 博士</translation>
    </message>
    <message>
        <source>CodeRunner tool: primes</source>
        <translation>CodeRunner 工具：质数</translation>
    </message>
    <message>
        <source>Long review outgrows 8k</source>
        <translation>长评论超出 8k 上下文</translation>
    </message>
    <message>
        <source>Product JSON evaluation</source>
        <translation>产品信息 JSON 评测</translation>
    </message>
</context>
<context>
    <name>Figures</name>
    <message>
        <source>TTFT</source>
        <translation>首 token</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>用时</translation>
    </message>
    <message>
        <source>Tokens in</source>
        <translation>输入 tokens</translation>
    </message>
    <message>
        <source>Tokens out</source>
        <translation>输出 tokens</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>tokens/秒</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>结束原因</translation>
    </message>
</context>
<context>
    <name>FileErrors</name>
    <message>
        <source>{file}, line {line}, column {column}: {reason}</source>
        <extracomment>Files larger than this are refused before they are read (50,000 cards fit many times over). The state files the app writes itself are small; anything larger is not one of them. What was wrong with the app&apos;s own files in this process, each naming the file (the window shows them at start; the CLI prints them as warnings when they are noted).</extracomment>
        <translation>{file}，第 {line} 行第 {column} 列：{reason}</translation>
    </message>
    <message>
        <source>line {line}, column {column}: {reason}</source>
        <translation>第 {line} 行第 {column} 列：{reason}</translation>
    </message>
    <message>
        <source>{file}, {path}: {reason}</source>
        <translation>{file}，{path}：{reason}</translation>
    </message>
    <message>
        <source>{path}: {reason}</source>
        <translation>{path}：{reason}</translation>
    </message>
    <message>
        <source>{file}: {reason}</source>
        <translation>{file}：{reason}</translation>
    </message>
    <message>
        <source>it is a folder, not a file</source>
        <translation>这是一个文件夹，不是文件</translation>
    </message>
    <message>
        <source>it is not a regular file (a pipe, socket or device), so it is not read</source>
        <translation>这不是普通文件（而是管道、套接字或设备），因此不读取</translation>
    </message>
    <message>
        <source>it is too large ({size} MB; at most {most} MB are read)</source>
        <translation>文件太大（{size} MB；最多读取 {most} MB）</translation>
    </message>
    <message>
        <source>it is too large (more than {most} MB)</source>
        <translation>文件太大（超过 {most} MB）</translation>
    </message>
    <message>
        <source>not UTF-8 text (byte {byte})</source>
        <translation>不是 UTF-8 文本（第 {byte} 字节）</translation>
    </message>
    <message>
        <source>not valid JSON ({error})</source>
        <translation>不是有效的 JSON（{error}）</translation>
    </message>
    <message>
        <source>nested too deeply (more than {levels} levels)</source>
        <translation>嵌套过深（超过 {levels} 层）</translation>
    </message>
    <message>
        <source>a message must be an object</source>
        <extracomment>Marks (in ``Message.extra``) a tool-call message whose content was null, kept null.</extracomment>
        <translation>消息必须是对象</translation>
    </message>
    <message>
        <source>role must be one of {roles}, not {role}</source>
        <translation>role 必须是 {roles} 之一，而不是 {role}</translation>
    </message>
    <message>
        <source>content must be a string</source>
        <translation>content 必须是字符串</translation>
    </message>
    <message>
        <source>name must be a string</source>
        <translation>name 必须是字符串</translation>
    </message>
    <message>
        <source>partial must be true or false</source>
        <translation>partial 必须是 true 或 false</translation>
    </message>
    <message>
        <source>tool_calls must be a list of objects</source>
        <translation>tool_calls 必须是由对象组成的列表</translation>
    </message>
    <message>
        <source>tool_call_id must be a string</source>
        <translation>tool_call_id 必须是字符串</translation>
    </message>
    <message>
        <source>prefill must be a string</source>
        <translation>prefill 必须是字符串</translation>
    </message>
    <message>
        <source>alternates must be a list of strings</source>
        <translation>alternates 必须是由字符串组成的列表</translation>
    </message>
    <message>
        <source>only an assistant message has alternates</source>
        <translation>只有 assistant 消息可以有 alternates</translation>
    </message>
    <message>
        <source>expected a workspace object, a request body or an array of messages</source>
        <translation>应为工作区对象、请求体或消息数组</translation>
    </message>
    <message>
        <source>unknown format {found}: this version reads {known}</source>
        <translation>未知格式 {found}：此版本读取 {known}</translation>
    </message>
    <message>
        <source>not a workspace: no &quot;format&quot; or &quot;messages&quot; key (expected a *.prompt.json file, an OpenAI request body or an array of messages)</source>
        <translation>不是工作区：没有 &quot;format&quot; 或 &quot;messages&quot; 键（应为 *.prompt.json 文件、OpenAI 请求体或消息数组）</translation>
    </message>
    <message>
        <source>must be an array of messages</source>
        <translation>必须是消息数组</translation>
    </message>
    <message>
        <source>must be an array of tool objects</source>
        <translation>必须是工具对象数组</translation>
    </message>
    <message>
        <source>a tool must be an object</source>
        <translation>工具必须是对象</translation>
    </message>
    <message>
        <source>must be auto, none, required or {function}</source>
        <translation>必须是 auto、none、required 或 {function}</translation>
    </message>
    <message>
        <source>must be a number</source>
        <translation>必须是数字</translation>
    </message>
    <message>
        <source>must be a whole number</source>
        <translation>必须是整数</translation>
    </message>
    <message>
        <source>must be a finite number</source>
        <translation>必须是有限的数字</translation>
    </message>
    <message>
        <source>must be at most {limit}</source>
        <translation>不能大于 {limit}</translation>
    </message>
    <message>
        <source>is too large</source>
        <translation>太大了</translation>
    </message>
    <message>
        <source>must be an object</source>
        <translation>必须是对象</translation>
    </message>
    <message>
        <source>must be a string</source>
        <translation>必须是字符串</translation>
    </message>
    <message>
        <source>must be a string or a list of strings</source>
        <translation>必须是字符串或由字符串组成的列表</translation>
    </message>
    <message>
        <source>must be an object with a &quot;type&quot; (text, json_object, json_schema...)</source>
        <translation>必须是带有 &quot;type&quot; 的对象（text、json_object、json_schema……）</translation>
    </message>
    <message>
        <source>must be an array of variants</source>
        <translation>必须是变体数组</translation>
    </message>
    <message>
        <source>a variant must be an object</source>
        <translation>变体必须是对象</translation>
    </message>
    <message>
        <source>needs a label</source>
        <translation>需要一个标签</translation>
    </message>
    <message>
        <source>must be an array of test cases</source>
        <translation>必须是测试用例数组</translation>
    </message>
    <message>
        <source>a test case must be an object</source>
        <translation>测试用例必须是对象</translation>
    </message>
    <message>
        <source>must be an object of variable values</source>
        <translation>必须是由变量值组成的对象</translation>
    </message>
    <message>
        <source>must be an array of assertions</source>
        <translation>必须是断言数组</translation>
    </message>
    <message>
        <source>cannot read it ({reason})</source>
        <extracomment>Provider config keys that are request parameters, sent as they are. Top-level keys that do not change what is evaluated (kept out without a word).</extracomment>
        <translation>无法读取（{reason}）</translation>
    </message>
    <message>
        <source>message {number}: partial is only allowed on the last message, which must be an assistant message</source>
        <extracomment>uid -&gt; position, rebuilt on demand after a change of order (views ask for every visible card on every scroll step: a scan per call was most of a step at 50k cards). Per-card facts kept in step with the edits (see :class:`CardIndex`).</extracomment>
        <translation>第 {number} 条消息：partial 只能用在最后一条消息上，且它必须是 assistant 消息</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>This run has no workspace recorded; it cannot be reopened.</source>
        <extracomment>How many runs the list shows (the newest first).</extracomment>
        <translation>此次运行没有记录工作区，无法重新打开。</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>{title} (run {id}, {when})</source>
        <translation>{title}（运行 {id}，{when}）</translation>
    </message>
    <message>
        <source>(no text)</source>
        <translation>（无文本）</translation>
    </message>
    <message>
        <source>… ({count} more characters: reopen the run to see them all)</source>
        <extracomment>Characters of an answer or request the detail shows (a 10 MB answer would take the UI). A selected run longer than this (its stored JSON) is not kept once shown.</extracomment>
        <translation>…（还有 {count} 个字符：重新打开此运行以查看全部）</translation>
    </message>
    <message>
        <source>Search the runs&apos; messages and answers…</source>
        <extracomment>The one run loaded whole: the selected one (unless it is long, see KEEP_CHARS). The run the detail shows (kept or not).</extracomment>
        <translation>搜索运行记录中的消息和回答…</translation>
    </message>
    <message>
        <source>Reopen as new workspace</source>
        <translation>作为新工作区重新打开</translation>
    </message>
    <message>
        <source>{found} run{value1}</source>
        <translation>{found} 次运行</translation>
    </message>
    <message>
        <source>Loading the run…</source>
        <translation>正在加载此运行…</translation>
    </message>
    <message>
        <source>Run {id} · {when} · {provider} · {model}</source>
        <translation>运行 {id} · {when} · {provider} · {model}</translation>
    </message>
    <message>
        <source>Error: {error}</source>
        <translation>错误：{error}</translation>
    </message>
    <message>
        <source>Answer:</source>
        <translation>回答：</translation>
    </message>
    <message>
        <source>Request:</source>
        <translation>请求：</translation>
    </message>
    <message>
        <source>Cannot reopen this run</source>
        <translation>无法重新打开此次运行</translation>
    </message>
    <message>
        <source>Reopened run {id} as a new workspace.</source>
        <translation>已将运行 {id} 作为新工作区重新打开。</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
</context>
<context>
    <name>Lint</name>
    <message>
        <source>The Messages API has no response_format: it is not sent (ask for JSON in the prompt, or prefill &apos;{brace}&apos;).</source>
        <extracomment>Sampling parameters a model may fix, and where :class:`Params` keeps each. Workbench-only parameters: kept in the workspace, never sent. ``params.prefill_mode`` value that sends the prefix as a closing instruction. The fields the per-card rules read (see :meth:`Conversation.card_index`).</extracomment>
        <translation>Messages API 没有 response_format：它不会被发送（请在提示词中要求 JSON，或预填“{brace}”）。</translation>
    </message>
    <message>
        <source>Send plain text</source>
        <translation>发送纯文本</translation>
    </message>
    <message>
        <source>{model} is not documented to take response_format json_object; it may be refused.</source>
        <translation>文档未说明 {model} 支持 response_format json_object；请求可能被拒绝。</translation>
    </message>
    <message>
        <source>{model} does not call tools: the tools may be refused.</source>
        <translation>{model} 不调用工具：这些工具可能被拒绝。</translation>
    </message>
    <message>
        <source>{model} does not read images: this card&apos;s image would be refused.</source>
        <translation>{model} 不读取图片：此卡片的图片会被拒绝。</translation>
    </message>
    <message>
        <source>Drop {name}</source>
        <translation>删除 {name}</translation>
    </message>
    <message>
        <source>{retirement} The provider still lists it.</source>
        <translation>{retirement} 服务商仍列出该模型。</translation>
    </message>
    <message>
        <source>{retirement} Sending it gets a 404.</source>
        <translation>{retirement} 发送它会得到 404。</translation>
    </message>
    <message>
        <source>Switch to {model}</source>
        <translation>切换到 {model}</translation>
    </message>
    <message>
        <source>The provider no longer lists {model} (its model list): it may be retired.</source>
        <translation>服务商的模型列表中已不再有 {model}：它可能已停用。</translation>
    </message>
    <message>
        <source>{model} is not in the model catalog: its window, price and limits are unknown, so nothing about it is checked.</source>
        <translation>{model} 不在模型目录中：其上下文窗口、价格和限制未知，因此不对它做任何检查。</translation>
    </message>
    <message>
        <source>{model} fixes {name} (it is {fixed:g}): another value is refused.</source>
        <translation>{model} 固定了 {name}（为 {fixed:g}）：其他取值会被拒绝。</translation>
    </message>
    <message>
        <source>{model} fixes {name} (it is {fixed:g}): the value is ignored.</source>
        <translation>{model} 固定了 {name}（为 {fixed:g}）：此取值会被忽略。</translation>
    </message>
    <message>
        <source>{model} fixes {name}: another value is refused.</source>
        <translation>{model} 固定了 {name}：其他取值会被拒绝。</translation>
    </message>
    <message>
        <source>{model} fixes {name}: the value is ignored.</source>
        <translation>{model} 固定了 {name}：此取值会被忽略。</translation>
    </message>
    <message>
        <source>{model} accepts a temperature between {low:g} and {high:g}, not {value:g}.</source>
        <translation>{model} 接受的 temperature 介于 {low:g} 与 {high:g} 之间，不接受 {value:g}。</translation>
    </message>
    <message>
        <source>Set temperature to {value:g}</source>
        <translation>将 temperature 设为 {value:g}</translation>
    </message>
    <message>
        <source>thinking must be {enabled} or {disabled}.</source>
        <translation>thinking 必须是 {enabled} 或 {disabled}。</translation>
    </message>
    <message>
        <source>{model} does not think: {name} is ignored or refused.</source>
        <translation>{model} 不进行思考：{name} 会被忽略或拒绝。</translation>
    </message>
    <message>
        <source>Thinking is switched by thinking or by reasoning_effort, never both: the request is refused.</source>
        <translation>思考只能由 thinking 或 reasoning_effort 之一开关，不能同时设置：请求会被拒绝。</translation>
    </message>
    <message>
        <source>{model} always thinks: thinking disabled is refused.</source>
        <translation>{model} 总是进行思考：关闭 thinking 会被拒绝。</translation>
    </message>
    <message>
        <source>thinking.keep is refused: send only its type.</source>
        <translation>thinking.keep 会被拒绝：只发送其 type。</translation>
    </message>
    <message>
        <source>{model} takes no reasoning_effort: it is ignored or refused.</source>
        <translation>{model} 不接受 reasoning_effort：它会被忽略或拒绝。</translation>
    </message>
    <message>
        <source>{model} takes reasoning_effort {levels}, not {value}.</source>
        <translation>{model} 接受的 reasoning_effort 为 {levels}，不接受 {value}。</translation>
    </message>
    <message>
        <source>Use {level}</source>
        <translation>改用 {level}</translation>
    </message>
    <message>
        <source>Send the prefix as a closing instruction</source>
        <translation>将前缀作为结尾指令发送</translation>
    </message>
    <message>
        <source>{model} does not support assistant message prefill: the request is refused.</source>
        <translation>{model} 不支持预填助手消息：请求会被拒绝。</translation>
    </message>
    <message>
        <source>{model} continues a prefix only with thinking off.</source>
        <translation>{model} 只有在关闭思考时才能续写前缀。</translation>
    </message>
    <message>
        <source>Turn thinking off</source>
        <translation>关闭思考</translation>
    </message>
    <message>
        <source>With thinking on, {model} needs the reasoning_content of an assistant message that made tool calls; this card has none (run it again, or turn thinking off).</source>
        <translation>开启思考时，{model} 需要发起过工具调用的助手消息的 reasoning_content；此卡片没有（请重新运行，或关闭思考）。</translation>
    </message>
    <message>
        <source>Both max_tokens and max_completion_tokens are set: max_tokens is sent as {field}; drop the other.</source>
        <translation>max_tokens 与 max_completion_tokens 同时设置了：max_tokens 以 {field} 发送；请删除另一个。</translation>
    </message>
    <message>
        <source>The Messages API needs max_tokens: {tokens:,} is sent.</source>
        <translation>Messages API 需要 max_tokens：将发送 {tokens:,}。</translation>
    </message>
    <message>
        <source>{model} writes at most {limit:,} tokens; {wanted:,} is refused.</source>
        <translation>{model} 最多输出 {limit:,} 个 token；{wanted:,} 会被拒绝。</translation>
    </message>
    <message>
        <source>Lower to {tokens:,}</source>
        <translation>降到 {tokens:,}</translation>
    </message>
    <message>
        <source>The prompt (≈ {prompt:,}) plus {wanted:,} reserved output exceeds {model}&apos;s window of {window:,} tokens.</source>
        <translation>提示词（≈ {prompt:,}）加上预留的 {wanted:,} 输出超出了 {model} 的 {window:,} token 上下文窗口。</translation>
    </message>
    <message>
        <source>Fit: {tokens:,}</source>
        <translation>适配：{tokens:,}</translation>
    </message>
</context>
<context>
    <name>LintList</name>
    <message>
        <source>message {number}: </source>
        <extracomment>The ``reasoning_effort`` levels as the user reads them (the value sent stays the API&apos;s).</extracomment>
        <translation>第 {number} 条消息：</translation>
    </message>
    <message>
        <source>The provider refuses this request: Send is blocked.</source>
        <translation>服务商会拒绝此请求：已禁止发送。</translation>
    </message>
    <message>
        <source>The provider may refuse or ignore this: Send still sends.</source>
        <translation>服务商可能拒绝或忽略此项：仍可发送。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Add message</source>
        <extracomment>Built-in and user providers; features read providers through it, never the presets. A run is streaming (set by the run feature through ``set_running``). The services handed to every feature. What Send and Stop call (the run feature); None until it is installed. The installed features (None until installed): tests and benchmarks drive them. Feeds the provider and model selectors (made with the features: it reads the catalog). File &gt; New, Open, Save, Import, recovery: the document&apos;s actions, asking first. The menu bar and its actions. True once every feature (runs, meter, tools, compare...) is wired in.</extracomment>
        <translation>添加消息</translation>
    </message>
    <message>
        <source>Add a message at the end (Ctrl+N); the arrow picks its role</source>
        <translation>在末尾添加消息（Ctrl+N）；箭头可选择角色</translation>
    </message>
    <message>
        <source>Add {role} message</source>
        <translation>添加 {role} 消息</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send the conversation (Ctrl+Enter)</source>
        <translation>发送对话（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the answer streaming in (Esc)</source>
        <translation>停止正在生成的回答（Esc）</translation>
    </message>
    <message>
        <source>Conversation</source>
        <extracomment>Why Send is disabled (nothing to send yet), beside the button. Feature pages beside the conversation (Compare, History) go in here.</extracomment>
        <translation>对话</translation>
    </message>
    <message>
        <source>Parameters</source>
        <extracomment>The side column of the Parameters tab; the token meter sits at its top. Side panels (Parameters, Tools...).</extracomment>
        <translation>参数</translation>
    </message>
    <message>
        <source>Nothing to send yet: add a message, open an example or paste a request.</source>
        <extracomment>The conversation (and feature tabs) beside the side panels; its sizes are remembered. Stays in the status bar while autosave fails (a full disk): the work is not safe.</extracomment>
        <translation>还没有可发送的内容：请添加消息、打开示例或粘贴请求。</translation>
    </message>
    <message>
        <source>Nothing to send yet: every message is empty.</source>
        <translation>还没有可发送的内容：所有消息都是空的。</translation>
    </message>
    <message>
        <source>Nothing to send yet</source>
        <translation>还没有可发送的内容</translation>
    </message>
    <message>
        <source>Ready to send: configure a provider to run.</source>
        <translation>可以发送：请配置服务商后运行。</translation>
    </message>
    <message>
        <source>Not sent: </source>
        <translation>未发送：</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <source>Build and test prompts against Kimi and OpenAI-compatible APIs.</source>
        <translation>针对 Kimi 及兼容 OpenAI 的 API 编写和测试提示词。</translation>
    </message>
</context>
<context>
    <name>MessageCard</name>
    <message>
        <source>Role of this message</source>
        <extracomment>A widget of the card got the keyboard focus (the list brings it on screen). Set by the list: moves the focus into the card after (True) or before (False) the card ``uid``, or out of the list at its ends; False when nothing took the focus.</extracomment>
        <translation>此消息的角色</translation>
    </message>
    <message>
        <source>+ name</source>
        <translation>+ 名称</translation>
    </message>
    <message>
        <source>Give this message a name (optional)</source>
        <translation>为此消息设置名称（可选）</translation>
    </message>
    <message>
        <source>Partial</source>
        <translation>续写 (partial)</translation>
    </message>
    <message>
        <source>Show the previous answer (Alt+Left)</source>
        <extracomment>Read-only rich text under the content: an answer&apos;s tool calls, what a result answers.</extracomment>
        <translation>显示上一个回答（Alt+Left）</translation>
    </message>
    <message>
        <source>Answers kept by Regenerate: the one shown is sent next and saved</source>
        <translation>重新生成时保留的回答：显示的那一个会在下次发送并被保存</translation>
    </message>
    <message>
        <source>Show the next answer (Alt+Right)</source>
        <translation>显示下一个回答（Alt+Right）</translation>
    </message>
    <message>
        <source>Insert a message above</source>
        <translation>在上方插入消息</translation>
    </message>
    <message>
        <source>Insert a message below</source>
        <translation>在下方插入消息</translation>
    </message>
    <message>
        <source>Duplicate this message (Ctrl+D)</source>
        <translation>复制此消息（Ctrl+D）</translation>
    </message>
    <message>
        <source>Move up (Alt+Up)</source>
        <translation>上移（Alt+Up）</translation>
    </message>
    <message>
        <source>Move down (Alt+Down)</source>
        <translation>下移（Alt+Down）</translation>
    </message>
    <message>
        <source>Delete this message</source>
        <translation>删除此消息</translation>
    </message>
    <message>
        <source>Prefill the answer: the model continues this text (Kimi partial mode).</source>
        <extracomment>The whole text while the editor shows only its start (see PREVIEW_CHARS), else None. The answer streaming in, while the editor shows its end (and where that end started when it was put in the editor), else None.</extracomment>
        <translation>预填充回答：模型从这段文字继续（Kimi partial 模式）。</translation>
    </message>
    <message>
        <source>Prefix the answer starts with, e.g. { for JSON…</source>
        <translation>回答开头的前缀，例如 JSON 用 {…</translation>
    </message>
    <message>
        <source>Message content…</source>
        <translation>消息内容…</translation>
    </message>
    <message>
        <source>{total} characters so far, the end shown: the whole answer is in the card when it finishes.</source>
        <translation>已收到 {total} 个字符，这里显示结尾部分；回答完成后卡片中会有完整内容。</translation>
    </message>
    <message>
        <source>Showing the first {shown} of {total} characters: click into the text to edit all of it.</source>
        <translation>显示前 {shown} 个字符（共 {total} 个）：点击文本即可编辑全部内容。</translation>
    </message>
    <message>
        <source>Loading a line of {count} characters: laying it out takes a few seconds…</source>
        <translation>正在载入一行 {count} 个字符：排版需要几秒钟…</translation>
    </message>
    <message>
        <source>answer {value0} of {total}</source>
        <translation>第 {value0} / {total} 个回答</translation>
    </message>
</context>
<context>
    <name>ModelLists</name>
    <message>
        <source>{url} answered the model list with an HTML page, not JSON: the base URL may point at a web page or a gateway that has no model list.</source>
        <extracomment>Seconds before a model-list request gives up.</extracomment>
        <translation>{url} 用 HTML 页面而不是 JSON 回应了模型列表请求：Base URL 可能指向网页，或指向没有模型列表的网关。</translation>
    </message>
    <message>
        <source>{url} answered the model list with text, not JSON: the base URL may point at a web page or a gateway that has no model list.</source>
        <translation>{url} 用文本而不是 JSON 回应了模型列表请求：Base URL 可能指向网页，或指向没有模型列表的网关。</translation>
    </message>
    <message>
        <source>{url} answered the model list with JSON of another shape (no data list).</source>
        <translation>{url} 回应的模型列表 JSON 结构不符（没有 data 列表）。</translation>
    </message>
    <message>
        <source>{url} has no model list (404): a gateway may not offer one.</source>
        <translation>{url} 没有模型列表（404）：网关可能不提供。</translation>
    </message>
    <message>
        <source>The server answered {status} to the model list.</source>
        <translation>服务器对模型列表请求返回了 {status}。</translation>
    </message>
    <message>
        <source>{url} did not answer in time.</source>
        <translation>{url} 未能及时应答。</translation>
    </message>
    <message>
        <source>Cannot connect to {url}: is the address right and the server running?</source>
        <translation>无法连接到 {url}：地址是否正确？服务器是否在运行？</translation>
    </message>
    <message>
        <source>The key was refused (401): check it, or store a new one.</source>
        <translation>密钥被拒绝（401）：请检查密钥，或保存一个新的。</translation>
    </message>
    <message>
        <source>Access denied (403): the account may lack balance or permission.</source>
        <translation>访问被拒绝（403）：账户可能余额不足或没有权限。</translation>
    </message>
    <message>
        <source>{url} has no model list (404): check the base URL.</source>
        <translation>{url} 没有模型列表（404）：请检查 Base URL。</translation>
    </message>
    <message>
        <source>The server answered {status}.</source>
        <translation>服务器返回了 {status}。</translation>
    </message>
    <message>
        <source>{problem} {message}</source>
        <translation>{problem} {message}</translation>
    </message>
    <message>
        <source>The test failed: {error}</source>
        <translation>测试失败：{error}</translation>
    </message>
</context>
<context>
    <name>ParamsPanel</name>
    <message>
        <source>default</source>
        <extracomment>Shown when a value is left to the provider&apos;s default (the value is not sent).</extracomment>
        <translation>默认</translation>
    </message>
    <message>
        <source>minimal</source>
        <translation>最低</translation>
    </message>
    <message>
        <source>low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>high</source>
        <translation>高</translation>
    </message>
    <message>
        <source>max</source>
        <translation>最高</translation>
    </message>
    <message>
        <source>always on</source>
        <translation>始终开启</translation>
    </message>
    <message>
        <source>model default{default}</source>
        <translation>模型默认{default}</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>effort: {level}</source>
        <translation>力度：{level}</translation>
    </message>
    <message>
        <source>e.g. END | \n\n (up to 4, separated by |)</source>
        <extracomment>Extra parameters with their own control (the thinking selector) or never sent. Several parameters at once (a thinking choice, a linter fix): one undo step.</extracomment>
        <translation>例如 END | \n\n（最多 4 个，用 | 分隔）</translation>
    </message>
    <message>
        <source>How the model thinks: a toggle (thinking), effort levels (reasoning_effort), or always on, as the model takes it</source>
        <translation>模型如何思考：开关（thinking）、力度等级（reasoning_effort）或始终开启，取决于模型支持哪种</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation>思考</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最大 token 数</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>响应格式</translation>
    </message>
    <message>
        <source>Also sent</source>
        <translation>另外发送</translation>
    </message>
    <message>
        <source>Parameters of the request that have no field here; they are sent as they are.</source>
        <translation>请求中在此没有对应字段的参数；它们会原样发送。</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>偏好设置</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>English</source>
        <translation>English</translation>
    </message>
    <message>
        <source>The language changes when the app starts again.</source>
        <translation>语言将在应用重新启动后生效。</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>First built-in provider</source>
        <translation>第一个内置服务商</translation>
    </message>
    <message>
        <source>the provider&apos;s default</source>
        <translation>服务商的默认值</translation>
    </message>
    <message>
        <source>Reopen the last workspace at start</source>
        <translation>启动时重新打开上次的工作区</translation>
    </message>
    <message>
        <source> million characters</source>
        <translation> 百万字符</translation>
    </message>
    <message>
        <source>A run stops when its answer, reasoning and tool arguments together pass this size (a broken or hostile server cannot fill the memory). Setting: max_answer_mb.</source>
        <translation>当一次运行的回答、推理和工具参数合计超过此大小时即停止（出错或恶意的服务器无法占满内存）。设置项：max_answer_mb。</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>A run stops after this long in all, retries included, however steadily the server keeps sending. Setting: run_deadline_seconds.</source>
        <translation>一次运行总计（含重试）超过此时长即停止，无论服务器是否仍在持续发送。设置项：run_deadline_seconds。</translation>
    </message>
    <message>
        <source>Limits of a run (from the next run on)</source>
        <translation>运行限制（从下一次运行起生效）</translation>
    </message>
    <message>
        <source>Largest answer</source>
        <translation>最大回答</translation>
    </message>
    <message>
        <source>Longest run</source>
        <translation>最长运行时间</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>New workspace provider</source>
        <translation>新工作区的服务商</translation>
    </message>
    <message>
        <source>New workspace model</source>
        <translation>新工作区的模型</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <source>{minutes} min {seconds} s</source>
        <translation>{minutes} 分钟 {seconds} 秒</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
</context>
<context>
    <name>Promptfoo</name>
    <message>
        <source>file:// values are not read</source>
        <translation>不会读取 file:// 形式的值</translation>
    </message>
    <message>
        <source>not valid YAML ({problem})</source>
        <translation>不是有效的 YAML（{problem}）</translation>
    </message>
    <message>
        <source>{problem} (the app takes a subset of promptfoo: see docs/evaluating.md)</source>
        <translation>{problem}（本应用只支持 promptfoo 的一个子集：见 docs/evaluating.md）</translation>
    </message>
    <message>
        <source>a promptfoo config is a YAML mapping (prompts, providers, tests)</source>
        <translation>promptfoo 配置应是一个 YAML 映射（prompts、providers、tests）</translation>
    </message>
    <message>
        <source>{key} is not supported</source>
        <translation>不支持 {key}</translation>
    </message>
    <message>
        <source>needs at least one provider (openai:chat:MODEL)</source>
        <translation>至少需要一个服务商（openai:chat:MODEL）</translation>
    </message>
    <message>
        <source>must be a mapping</source>
        <translation>必须是映射</translation>
    </message>
    <message>
        <source>must be a mapping of values</source>
        <translation>必须是由值组成的映射</translation>
    </message>
    <message>
        <source>needs one chat prompt</source>
        <translation>需要一个对话提示词</translation>
    </message>
    <message>
        <source>{count} prompts: the app evaluates one conversation (make the others variants of it, or separate workspaces)</source>
        <translation>有 {count} 个提示词：本应用只评估一段对话（请把其余的做成它的变体，或放到单独的工作区）</translation>
    </message>
    <message>
        <source>prompt key {key} is not supported</source>
        <translation>不支持提示词键 {key}</translation>
    </message>
    <message>
        <source>a prompt is a text or an array of messages</source>
        <translation>提示词应是文本或消息数组</translation>
    </message>
    <message>
        <source>Nunjucks tags and filters ({tags}, | filter) are not supported</source>
        <translation>不支持 Nunjucks 标签和过滤器（{tags}、| filter）</translation>
    </message>
    <message>
        <source>Nunjucks filters ({filter}) are not supported</source>
        <translation>不支持 Nunjucks 过滤器（{filter}）</translation>
    </message>
    <message>
        <source>the prompt has no messages</source>
        <translation>提示词中没有消息</translation>
    </message>
    <message>
        <source>{name}: prompt files other than JSON, YAML or text are not read (a script&apos;s prompt would have to run)</source>
        <translation>{name}：只读取 JSON、YAML 或文本格式的提示词文件（脚本生成的提示词需要运行脚本）</translation>
    </message>
    <message>
        <source>cannot read {name} ({error})</source>
        <translation>无法读取 {name}（{error}）</translation>
    </message>
    <message>
        <source>{name}: not valid YAML ({problem})</source>
        <translation>{name}：不是有效的 YAML（{problem}）</translation>
    </message>
    <message>
        <source>provider key {key} is not supported</source>
        <translation>不支持服务商键 {key}</translation>
    </message>
    <message>
        <source>a provider needs an id like openai:chat:MODEL</source>
        <translation>服务商需要形如 openai:chat:MODEL 的 id</translation>
    </message>
    <message>
        <source>{provider} is not an OpenAI-compatible chat provider (use openai:chat:MODEL with apiBaseUrl)</source>
        <translation>{provider} 不是兼容 OpenAI 的对话服务商（请使用 openai:chat:MODEL 并设置 apiBaseUrl）</translation>
    </message>
    <message>
        <source>names no model (openai:chat:MODEL)</source>
        <translation>没有指定模型（openai:chat:MODEL）</translation>
    </message>
    <message>
        <source>an API key written in the file is not taken: use apiKeyEnvar (the app keeps keys in the keyring or the environment)</source>
        <translation>不接受写在文件里的 API 密钥：请使用 apiKeyEnvar（本应用把密钥保存在系统密钥环或环境变量中）</translation>
    </message>
    <message>
        <source>provider setting {key} is not supported</source>
        <translation>不支持服务商设置 {key}</translation>
    </message>
    <message>
        <source>no provider has the base URL {url}: add it in Settings › Providers and keys (or run with --base-url)</source>
        <translation>没有服务商使用 Base URL {url}：请在“设置 › 服务商与密钥”中添加它（或用 --base-url 运行）</translation>
    </message>
    <message>
        <source>must be a list of assertions</source>
        <translation>必须是断言列表</translation>
    </message>
    <message>
        <source>an assertion is a mapping with a type</source>
        <translation>断言应是带有 type 的映射</translation>
    </message>
    <message>
        <source>assertion type {type} runs code, which the app never does</source>
        <translation>断言类型 {type} 会运行代码，本应用从不运行代码</translation>
    </message>
    <message>
        <source>assertion type {type} is not supported</source>
        <translation>不支持断言类型 {type}</translation>
    </message>
    <message>
        <source>{key} runs code, which the app never does</source>
        <translation>{key} 会运行代码，本应用从不运行代码</translation>
    </message>
    <message>
        <source>option {key} is not supported (only rubricPrompt is)</source>
        <translation>不支持选项 {key}（只支持 rubricPrompt）</translation>
    </message>
    <message>
        <source>tests from {source} are not read: list the cases in the file</source>
        <translation>不会读取来自 {source} 的测试：请把测试用例直接列在文件中</translation>
    </message>
    <message>
        <source>must be a list of test cases</source>
        <translation>必须是测试用例列表</translation>
    </message>
    <message>
        <source>a test case is a mapping (vars, assert)</source>
        <translation>测试用例应是一个映射（vars、assert）</translation>
    </message>
    <message>
        <source>test key {key} is not supported</source>
        <translation>不支持测试键 {key}</translation>
    </message>
    <message>
        <source>a test&apos;s own rubricPrompt for the llm-rubric of defaultTest.assert (the app keeps shared assertions once for every case): put rubricPrompt on that assertion, or the llm-rubric in the test&apos;s own assert</source>
        <translation>测试自己的 rubricPrompt 不能用于 defaultTest.assert 中的 llm-rubric（本应用为所有用例只保留一份共享断言）：请把 rubricPrompt 写在那条断言上，或把 llm-rubric 放进该测试自己的 assert 中</translation>
    </message>
</context>
<context>
    <name>ProviderDialog</name>
    <message>
        <source>Moonshot partial message</source>
        <translation>Moonshot partial 消息</translation>
    </message>
    <message>
        <source>DeepSeek prefix (beta URL)</source>
        <translation>DeepSeek prefix（beta URL）</translation>
    </message>
    <message>
        <source>vLLM/SGLang continue_final_message</source>
        <translation>vLLM/SGLang continue_final_message</translation>
    </message>
    <message>
        <source>Trailing assistant message (local servers)</source>
        <translation>末尾的 assistant 消息（本地服务器）</translation>
    </message>
    <message>
        <source>Cannot prefill</source>
        <translation>不支持预填充</translation>
    </message>
    <message>
        <source>Providers</source>
        <extracomment>The prefill style a kind&apos;s servers speak, chosen with the kind (still changeable after); &quot;custom&quot; keeps whatever is selected.</extracomment>
        <translation>服务商</translation>
    </message>
    <message>
        <source>Add custom…</source>
        <extracomment>The provider whose key state the key section shows (None while it is being read).</extracomment>
        <translation>添加自定义…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>My server</source>
        <translation>我的服务器</translation>
    </message>
    <message>
        <source>Needs an API key</source>
        <translation>需要 API 密钥</translation>
    </message>
    <message>
        <source>Save provider</source>
        <translation>保存服务商</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Prefill</source>
        <translation>预填充</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>Base URL</translation>
    </message>
    <message>
        <source>Key variable</source>
        <translation>密钥环境变量</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <source>Paste the API key</source>
        <translation>粘贴 API 密钥</translation>
    </message>
    <message>
        <source>Save key</source>
        <translation>保存密钥</translation>
    </message>
    <message>
        <source>Replace…</source>
        <translation>替换…</translation>
    </message>
    <message>
        <source>Delete key</source>
        <translation>删除密钥</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>  (custom)</source>
        <translation>（自定义）</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <source>Save the provider first, then its key.</source>
        <translation>请先保存服务商，再保存它的密钥。</translation>
    </message>
    <message>
        <source>Unsaved key</source>
        <translation>未保存的密钥</translation>
    </message>
    <message>
        <source>Save the key you typed for {provider}?</source>
        <translation>是否保存你为 {provider} 输入的密钥？</translation>
    </message>
    <message>
        <source>A key is only kept once it is saved to the keyring.</source>
        <translation>密钥只有保存到密钥环后才会被保留。</translation>
    </message>
    <message>
        <source>Unsaved provider</source>
        <translation>未保存的服务商</translation>
    </message>
    <message>
        <source>Save the changes to this provider before closing?</source>
        <translation>关闭前保存对此服务商的更改？</translation>
    </message>
    <message>
        <source>A tested connection is not saved until you save the provider.</source>
        <translation>测试过的连接在保存服务商之前不会被保存。</translation>
    </message>
    <message>
        <source>{host} is reached over plain http://, so the API key and the prompt would travel unencrypted. Use https:// if the server offers it.</source>
        <translation>{host} 通过明文 http:// 访问，API 密钥和提示词将以未加密方式传输。如果服务器支持，请使用 https://。</translation>
    </message>
    <message>
        <source>Restore the defaults of {name}?</source>
        <translation>恢复 {name} 的默认设置？</translation>
    </message>
    <message>
        <source>Remove {name}?</source>
        <translation>移除 {name}？</translation>
    </message>
    <message>
        <source>Its key stays in the keyring until you delete it.</source>
        <translation>它的密钥会保留在钥匙串中，直到你删除它。</translation>
    </message>
    <message>
        <source>{env} is set in the environment: runs use it.</source>
        <translation>环境中已设置 {env}：运行时会使用它。</translation>
    </message>
    <message>
        <source>No keyring is available on this system (no Secret Service, Keychain or Credential Locker), so the key cannot be saved here, and it is never written to a file. Set the environment variable {env} to your key before starting the app instead.{env_note}</source>
        <translation>此系统没有可用的钥匙串（没有 Secret Service、Keychain 或 Credential Locker），因此无法在此保存密钥，密钥也绝不会写入文件。请在启动应用前将环境变量 {env} 设为你的密钥。{env_note}</translation>
    </message>
    <message>
        <source>A key is stored in {backend}. It is not shown again: replace or delete it.</source>
        <translation>密钥已保存在 {backend} 中，不会再次显示：可以替换或删除。</translation>
    </message>
    <message>
        <source>No key saved.</source>
        <translation>尚未保存密钥。</translation>
    </message>
    <message>
        <source>This provider needs no key (optional).</source>
        <translation>此服务商不需要密钥（可选）。</translation>
    </message>
    <message>
        <source>{error}{lead} A key you save goes to {backend}; {env} in the environment also works.{env_note}</source>
        <translation>{error}{lead}保存的密钥存放在 {backend} 中；也可以使用环境变量 {env}。{env_note}</translation>
    </message>
    <message>
        <source>Paste the new key (replaces the stored one)</source>
        <translation>粘贴新密钥（替换已保存的密钥）</translation>
    </message>
    <message>
        <source>Delete the key stored for {provider_id}?</source>
        <translation>删除为 {provider_id} 保存的密钥？</translation>
    </message>
    <message>
        <source>Asking {base_url}/models…</source>
        <translation>正在请求 {base_url}/models…</translation>
    </message>
    <message>
        <source>Connected: {count} models listed.</source>
        <translation>已连接：列出了 {count} 个模型。</translation>
    </message>
    <message>
        <source>Balance: {balance}.</source>
        <translation>余额：{balance}。</translation>
    </message>
    <message>
        <source>&amp;Providers and keys…</source>
        <translation>服务商与密钥(&amp;P)…</translation>
    </message>
</context>
<context>
    <name>ProviderNames</name>
    <message>
        <source>Moonshot (global)</source>
        <extracomment>Languages with a translation (besides English, the source language). Built-in provider names that read differently in another language (lupdate collects them; the names themselves live in ``workbench.core.providers``). A user&apos;s own names stay as typed.</extracomment>
        <translation>Moonshot（国际站）</translation>
    </message>
    <message>
        <source>Moonshot (China)</source>
        <translation>Moonshot（中国站）</translation>
    </message>
    <message>
        <source>Moonshot (Anthropic format)</source>
        <translation>Moonshot（Anthropic 格式）</translation>
    </message>
    <message>
        <source>DeepSeek (Anthropic format)</source>
        <translation>DeepSeek（Anthropic 格式）</translation>
    </message>
    <message>
        <source>llama.cpp server</source>
        <translation>llama.cpp 服务器</translation>
    </message>
</context>
<context>
    <name>RequestLint</name>
    <message>
        <source>{window} tokens</source>
        <extracomment>Milliseconds of quiet before the linter runs again.</extracomment>
        <translation>{window} tokens</translation>
    </message>
    <message>
        <source>window unknown</source>
        <translation>上下文窗口未知</translation>
    </message>
    <message>
        <source>{window}, price unknown</source>
        <translation>{window}，价格未知</translation>
    </message>
    <message>
        <source>{window}, ${price_in:g} in / ${price_out:g} out per 1M</source>
        <translation>{window}，每百万 token 输入 ${price_in:g} / 输出 ${price_out:g}</translation>
    </message>
    <message>
        <source> · as of {date}</source>
        <translation> · 截至 {date}</translation>
    </message>
    <message>
        <source>window unknown (listed by the provider, not in the catalog)</source>
        <translation>上下文窗口未知（服务商列出，但不在模型目录中）</translation>
    </message>
    <message>
        <source> · ⚠ not in {provider}&apos;s model list</source>
        <translation> · ⚠ 不在 {provider} 的模型列表中</translation>
    </message>
    <message>
        <source>Change </source>
        <translation>修改 </translation>
    </message>
</context>
<context>
    <name>RunController</name>
    <message>
        <source>&amp;Regenerate</source>
        <extracomment>Streamed text is applied to the card at most this often (milliseconds). Applying may use at most this share of the UI thread; slower applies space out the flushes. One flush stops updating further cards after this many milliseconds (the rest wait a tick). After start-up, the SDK is imported in the background this many milliseconds later. An answer up to this long is put into its message on every flush; a longer one is drawn into its card on every flush (the new text only) and put into the message less often (see below). Putting a long answer into its message (the whole text: joined, counted, sized, autosaved) may use at most this share of the UI thread, and happens at most every SYNC_MIN_S seconds. After a run with more text than this, freed memory is handed back (see _after_long_run). The answer as its message last got it (without the prefix); the rest is in ``unsynced``. Characters of answer taken from ``pending`` so far. Regenerate: the answer card stays as it is until the first piece of the new answer. The card shows the answer&apos;s end as it streams (see MessageListView.begin_stream). How much of the answer its message has, when it last got it, and what that cost (seconds). Runs started here whose events are not all out yet (history write included). The window closed: runs are stopped and their ends touch no widget. Cards answered through a prefix, by uid: their prefix stays highlighted. Starts the background import of the SDK once the window is up (see ``_warm_up``).</extracomment>
        <translation>重新生成(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Continue the cut answer</source>
        <translation>继续被截断的回答(&amp;C)</translation>
    </message>
    <message>
        <source>Copy request as &amp;code</source>
        <translation>将请求复制为代码(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Python (OpenAI SDK)</source>
        <translation>&amp;Python（OpenAI SDK）</translation>
    </message>
    <message>
        <source>Unknown provider {provider!r}: choose one in Parameters or add it in Settings › Providers…</source>
        <translation>未知的服务商 {provider!r}：请在“参数”中选择，或在“设置 › 服务商”中添加…</translation>
    </message>
    <message>
        <source>A run is streaming: stop it first (Esc).</source>
        <translation>有回答正在生成：请先停止（Esc）。</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>Not copied: </source>
        <translation>未复制：</translation>
    </message>
    <message>
        <source>Copied the request as {kind}.</source>
        <translation>已将请求复制为 {kind}。</translation>
    </message>
    <message>
        <source>A run is streaming.</source>
        <translation>有回答正在生成。</translation>
    </message>
    <message>
        <source>Nothing to continue.</source>
        <translation>没有可以继续的内容。</translation>
    </message>
    <message>
        <source>The last answer was complete.</source>
        <translation>上一个回答是完整的。</translation>
    </message>
    <message>
        <source>Continue works on the last answer, which must be the last card.</source>
        <translation>“继续”作用于最后一个回答，它必须是最后一张卡片。</translation>
    </message>
    <message>
        <source>This provider</source>
        <translation>此服务商</translation>
    </message>
    <message>
        <source>{name} cannot prefill an answer, so it cannot continue a cut one.</source>
        <translation>{name} 不支持预填充回答，因此无法继续被截断的回答。</translation>
    </message>
    <message>
        <source>Stopped before sending.</source>
        <translation>发送前已停止。</translation>
    </message>
    <message>
        <source>This run could not be written to the history: {message}</source>
        <translation>此次运行无法写入历史记录：{message}</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>发送中…</translation>
    </message>
    <message>
        <source>Regenerate: answer from {model}</source>
        <translation>重新生成：来自 {model} 的回答</translation>
    </message>
    <message>
        <source>Answer from {model}</source>
        <translation>来自 {model} 的回答</translation>
    </message>
    <message>
        <source>Send the cut answer back as a prefix; the model carries on from its end.</source>
        <translation>将被截断的回答作为前缀发回；模型从它的末尾继续。</translation>
    </message>
    <message>
        <source>Prefilled: the answer continued this text.</source>
        <translation>预填充：回答从这段文字继续。</translation>
    </message>
</context>
<context>
    <name>RunErrors</name>
    <message>
        <source>Rate limited</source>
        <extracomment>The longest wait a Retry-After header may impose before the run gives up waiting. The longest a stream is parsed without yielding to the event loop (seconds). Words of a quota error&apos;s message: gateways rename its type (LiteLLM&apos;s ``throttling_error``) but pass the provider&apos;s message on. Hosts of Moonshot&apos;s own API (its key hint is wrong for a gateway in front of it). How the waiting line names a retryable status.</extracomment>
        <translation>触发速率限制</translation>
    </message>
    <message>
        <source>Overloaded</source>
        <translation>服务过载</translation>
    </message>
    <message>
        <source>Server error</source>
        <translation>服务器错误</translation>
    </message>
    <message>
        <source>{what} ({status}): retry {attempt} of {tries} in {wait} s</source>
        <translation>{what}（{status}）：{wait} 秒后第 {attempt} 次重试（共 {tries} 次）</translation>
    </message>
    <message>
        <source>{message} The server asks to wait {seconds} s first.</source>
        <translation>{message}服务器要求先等待 {seconds} 秒。</translation>
    </message>
    <message>
        <source>Access denied {detail}. The account may have run out of balance, or this key may not be allowed to use {model}.</source>
        <translation>访问被拒绝 {detail}。账户余额可能已用完，或此密钥无权使用 {model}。</translation>
    </message>
    <message>
        <source>{url} has no chat-completions endpoint {detail}: check the base URL (OpenAI-compatible servers usually end it in /v1).</source>
        <translation>{url} 没有 chat-completions 端点 {detail}：请检查 Base URL（OpenAI 兼容服务器通常以 /v1 结尾）。</translation>
    </message>
    <message>
        <source>Model {model} was not found {detail}: it may be misspelt or retired. Pick another model (Test connection lists the available ones), or check the base URL.</source>
        <translation>找不到模型 {model} {detail}：可能拼写有误或已下线。请选择其他模型（“测试连接”会列出可用模型），或检查 Base URL。</translation>
    </message>
    <message>
        <source>The conversation is too long for {model}&apos;s context window {detail}. Shorten it, lower max_tokens, or pick a model with a larger window.</source>
        <translation>对话超出了 {model} 的上下文窗口 {detail}。请缩短对话、调低 max_tokens，或选择上下文窗口更大的模型。</translation>
    </message>
    <message>
        <source>The request was refused {detail}.</source>
        <translation>请求被拒绝 {detail}。</translation>
    </message>
    <message>
        <source>Your quota is used up {detail}. Top up the account balance, then send again (not retried: waiting does not help).</source>
        <translation>额度已用完 {detail}。请为账户充值后再发送（不会自动重试：等待无济于事）。</translation>
    </message>
    <message>
        <source> after 1 retry</source>
        <translation>（已重试 1 次）</translation>
    </message>
    <message>
        <source> after {retries} retries</source>
        <translation>（已重试 {retries} 次）</translation>
    </message>
    <message>
        <source>Rate limited{after} {detail}. Wait a little and send again.</source>
        <translation>触发速率限制{after} {detail}。请稍候再发送。</translation>
    </message>
    <message>
        <source>The provider is overloaded{after} {detail}. Try again in a little while.</source>
        <translation>服务商过载{after} {detail}。请稍后再试。</translation>
    </message>
    <message>
        <source>The server failed{after} {detail}. Try again later.</source>
        <translation>服务器出错{after} {detail}。请稍后再试。</translation>
    </message>
    <message>
        <source>The request failed {detail}.</source>
        <translation>请求失败 {detail}。</translation>
    </message>
    <message>
        <source>The API key was refused {detail}. Check the key in the environment variable {env} (given with --api-key-env).</source>
        <translation>API 密钥被拒绝 {detail}。请检查环境变量 {env} 中的密钥（由 --api-key-env 指定）。</translation>
    </message>
    <message>
        <source>its key variable</source>
        <translation>其密钥环境变量</translation>
    </message>
    <message>
        <source>The server refused the request as unauthorised {detail}. {provider} needs no key by itself: if it sits behind a gateway that asks for one, save that key for {provider} in Settings › Providers and keys or set {env}.</source>
        <translation>服务器以未授权为由拒绝了请求 {detail}。{provider} 本身不需要密钥：如果它位于要求密钥的网关之后，请在“设置 › 服务商与密钥”中为 {provider} 保存该密钥，或设置 {env}。</translation>
    </message>
    <message>
        <source>The API key was refused {detail}. Check the key saved for {provider} in Settings › Providers and keys (or the environment variable {env}) (keys of api.moonshot.ai and api.moonshot.cn are not interchangeable).</source>
        <translation>API 密钥被拒绝 {detail}。请检查“设置 › 服务商与密钥”中为 {provider} 保存的密钥（或环境变量 {env}）（api.moonshot.ai 与 api.moonshot.cn 的密钥不能互换）。</translation>
    </message>
    <message>
        <source>The API key was refused {detail}. Check the key saved for {provider} in Settings › Providers and keys (or the environment variable {env}).</source>
        <translation>API 密钥被拒绝 {detail}。请检查“设置 › 服务商与密钥”中为 {provider} 保存的密钥（或环境变量 {env}）。</translation>
    </message>
    <message>
        <source>The API key contains spaces, line breaks or non-ASCII characters, so it cannot be sent. Paste the key again, exactly as the provider shows it.</source>
        <extracomment>Provider kinds whose runs are not priced: a local server or a mock answering to &quot;gpt-4o&quot; is not OpenAI&apos;s gpt-4o, and what a custom gateway charges is unknown (None: unknown, not free). The most characters a run takes by default (Settings › max_answer_mb overrides it). The longest a run may take in all by default (Settings › run_deadline_seconds). Sent as the key to servers that need none, so the SDK never reads OPENAI_API_KEY instead.</extracomment>
        <translation>API 密钥包含空格、换行或非 ASCII 字符，无法发送。请按服务商显示的原样重新粘贴密钥。</translation>
    </message>
    <message>
        <source>The answer from {url} took longer than {seconds} s in all and was ended (Settings: run_deadline_seconds); the text received so far is kept.</source>
        <extracomment>The largest token count read as usage (2**53: exact in a float, far beyond any real run).</extracomment>
        <translation>来自 {url} 的回答总用时超过 {seconds} 秒，已被结束（设置项：run_deadline_seconds）；已收到的文本会保留。</translation>
    </message>
    <message>
        <source>Unexpected error with {url}: {error}.</source>
        <translation>与 {url} 通信时出现意外错误：{error}。</translation>
    </message>
    <message>
        <source>No answer from {url} within {seconds} s (timeout). The text received so far is kept.</source>
        <translation>{url} 在 {seconds} 秒内没有应答（超时）。已收到的文本会保留。</translation>
    </message>
    <message>
        <source>No answer from {url} within {seconds} s (timeout).</source>
        <translation>{url} 在 {seconds} 秒内没有应答（超时）。</translation>
    </message>
    <message>
        <source>The server at {url} redirected the request to {target}, another address: not followed, so the prompt was not sent there. If you trust the new address, make it the provider&apos;s base URL.</source>
        <translation>{url} 的服务器把请求重定向到了另一个地址 {target}：未跟随，提示词没有发往那里。如果信任新地址，请把它设为该服务商的 Base URL。</translation>
    </message>
    <message>
        <source>Could not connect to {url}: connection refused. Is the server running, and is the base URL right?</source>
        <translation>无法连接到 {url}：连接被拒绝。服务器是否在运行？Base URL 是否正确？</translation>
    </message>
    <message>
        <source>Could not reach {url}: {error}.</source>
        <translation>无法访问 {url}：{error}。</translation>
    </message>
    <message>
        <source>The connection to {url} broke before the answer was complete; the text received so far is kept.</source>
        <translation>回答完成前与 {url} 的连接中断；已收到的文本会保留。</translation>
    </message>
    <message>
        <source>The server at {url} sent an answer this app cannot read ({error}); the text received so far is kept.</source>
        <translation>{url} 上的服务器发送了本应用无法读取的回答（{error}）；已收到的文本会保留。</translation>
    </message>
    <message>
        <source>The answer from {url} was ended: {error} (Settings: max_answer_mb). The text received so far is kept.</source>
        <translation>来自 {url} 的回答已被结束：{error}（设置项：max_answer_mb）。已收到的文本会保留。</translation>
    </message>
    <message>
        <source>The server at {url} sent a malformed stream line (not UTF-8); the text received so far is kept.</source>
        <translation>{url} 上的服务器发送了格式错误的流数据行（不是 UTF-8）；已收到的文本会保留。</translation>
    </message>
    <message>
        <source>The server at {url} sent a malformed stream line (not JSON); the text received so far is kept.</source>
        <translation>{url} 上的服务器发送了格式错误的流数据行（不是 JSON）；已收到的文本会保留。</translation>
    </message>
    <message>
        <source>The server at {url} reported an error mid-answer ({error}); the text received so far is kept.</source>
        <translation>{url} 上的服务器在回答中途报告了错误（{error}）；已收到的文本会保留。</translation>
    </message>
    <message>
        <source>The stream from {url} ended before the answer was complete (no finish reason); the text received so far is kept.</source>
        <translation>来自 {url} 的流在回答完成前就结束了（没有结束原因）；已收到的文本会保留。</translation>
    </message>
    <message>
        <source>The server at {url} sent an empty answer (no stream events); check the base URL.</source>
        <translation>{url} 上的服务器发送了空回答（没有任何流事件）；请检查 Base URL。</translation>
    </message>
    <message>
        <source>The server at {url} reported an error: {error}</source>
        <translation>{url} 上的服务器报告了错误：{error}</translation>
    </message>
    <message>
        <source>The server at {url} answered with an HTML page, not a chat-completion stream: is the base URL right (it usually ends in /v1)?</source>
        <translation>{url} 上的服务器返回的是 HTML 页面，而不是 chat-completion 流：Base URL 是否正确（通常以 /v1 结尾）？</translation>
    </message>
    <message>
        <source>The server at {url} answered with a {type} body, not a chat-completion stream: is the base URL right (it usually ends in /v1)?</source>
        <translation>{url} 上的服务器返回的是 {type} 内容，而不是 chat-completion 流：Base URL 是否正确（通常以 /v1 结尾）？</translation>
    </message>
    <message>
        <source>No API key for {provider}: save one in Settings › Providers and keys, or set the environment variable {env}.</source>
        <translation>{provider} 没有 API 密钥：请在“设置 › 服务商与密钥”中保存一个，或设置环境变量 {env}。</translation>
    </message>
    <message>
        <source>No API key for {provider}: save one in Settings › Providers and keys.</source>
        <translation>{provider} 没有 API 密钥：请在“设置 › 服务商与密钥”中保存一个。</translation>
    </message>
    <message>
        <source>The answer was ended: {error} (Settings: max_answer_mb). The text received so far is kept.</source>
        <extracomment>Sent as the key to servers that need none (the SDK refuses to start without one).</extracomment>
        <translation>回答已被结束：{error}（设置项：max_answer_mb）。已收到的文本会保留。</translation>
    </message>
    <message>
        <source>The server sent a malformed stream line (not JSON); the text received so far is kept.</source>
        <translation>服务器发送了格式错误的流数据行（不是 JSON）；已收到的文本会保留。</translation>
    </message>
    <message>
        <source>The server reported an error mid-answer ({error}); the text received so far is kept.</source>
        <translation>服务器在回答中途报告了错误（{error}）；已收到的文本会保留。</translation>
    </message>
    <message>
        <source>The stream ended before the answer was complete (no message_stop); the text received so far is kept.</source>
        <translation>流在回答完成前就结束了（没有 message_stop）；已收到的文本会保留。</translation>
    </message>
</context>
<context>
    <name>RunMetrics</name>
    <message>
        <source>partial message</source>
        <extracomment>What an unknown figure shows. How each prefill mechanism is named on a run.</extracomment>
        <translation>partial 消息</translation>
    </message>
    <message>
        <source>prefix message</source>
        <translation>prefix 消息</translation>
    </message>
    <message>
        <source>continue_final_message</source>
        <translation>continue_final_message</translation>
    </message>
    <message>
        <source>trailing assistant message</source>
        <translation>末尾的 assistant 消息</translation>
    </message>
    <message>
        <source>closing instruction (the model refuses a prefill)</source>
        <translation>结尾指令（该模型不支持预填充）</translation>
    </message>
    <message>
        <source>TTFT {ms} ms</source>
        <translation>首 token {ms} 毫秒</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <source>{speed} tok/s</source>
        <translation>{speed} token/秒</translation>
    </message>
    <message>
        <source> ({cached} cached)</source>
        <translation>（{cached} 已缓存）</translation>
    </message>
    <message>
        <source>{prompt} in{cached} + {completion} out tokens</source>
        <translation>输入 {prompt}{cached} + 输出 {completion} tokens</translation>
    </message>
    <message>
        <source>cost unknown for this model</source>
        <translation>此模型费用未知</translation>
    </message>
    <message>
        <source>finish: {reason}</source>
        <translation>结束原因：{reason}</translation>
    </message>
    <message>
        <source>prefill: {way}</source>
        <translation>预填充：{way}</translation>
    </message>
    <message>
        <source>interrupted: the text so far is kept</source>
        <translation>已中断：已收到的文字会保留</translation>
    </message>
</context>
<context>
    <name>RunPanel</name>
    <message>
        <source>Add API key…</source>
        <extracomment>Under a &quot;no API key&quot; error: opens the provider dialog at that provider&apos;s key field.</extracomment>
        <translation>添加 API 密钥…</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <extracomment>The provider whose key ``add_key_button`` adds.</extracomment>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Replace the last answer with a new one (Ctrl+Shift+R)</source>
        <translation>用新回答替换上一个回答（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>发送中…</translation>
    </message>
    <message>
        <source>prefilled: {value0}</source>
        <translation>预填充：{value0}</translation>
    </message>
    <message>
        <source>The answer continues this prefix, sent as a partial message:
{prefix}</source>
        <translation>回答从这个前缀继续，它作为 partial 消息发送：
{prefix}</translation>
    </message>
    <message>
        <source>Reasoning ({total:,} characters)</source>
        <translation>推理过程（{total:,} 个字符）</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Failed part-way</source>
        <translation>中途失败</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Waiting: {limit} run(s) of {provider} are streaming (Settings: at most {limit} at once)…</source>
        <translation>等待中：{provider} 正有 {limit} 个运行在生成（设置：最多同时 {limit} 个）…</translation>
    </message>
    <message>
        <source>This run was not saved in the history: {reason}</source>
        <translation>此次运行未保存到历史记录：{reason}</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>未发送</translation>
    </message>
</context>
<context>
    <name>SendProblems</name>
    <message>
        <source>Conversation: {problem}</source>
        <translation>对话：{problem}</translation>
    </message>
    <message>
        <source>Message {number}: {problem}</source>
        <translation>第 {number} 条消息：{problem}</translation>
    </message>
    <message>
        <source>The conversation is empty: add a message.</source>
        <translation>对话为空：请添加一条消息。</translation>
    </message>
    <message>
        <source>Unknown role {role}.</source>
        <translation>未知角色 {role}。</translation>
    </message>
    <message>
        <source>Partial is only allowed on the last, assistant message.</source>
        <translation>partial 只能用于最后一条 assistant 消息。</translation>
    </message>
    <message>
        <source>A tool message needs the tool_call_id it answers.</source>
        <translation>tool 消息需要它所回复的 tool_call_id。</translation>
    </message>
    <message>
        <source>No earlier assistant tool call has the id {id}.</source>
        <translation>之前的 assistant 工具调用中没有 ID 为 {id} 的调用。</translation>
    </message>
    <message>
        <source>The {role} message is empty.</source>
        <translation>{role} 消息为空。</translation>
    </message>
    <message>
        <source>Add a user message: system messages alone get no answer.</source>
        <translation>请添加一条 user 消息：只有 system 消息不会得到回答。</translation>
    </message>
    <message>
        <source>Variant {label}, parameter {name}: {reason}</source>
        <extracomment>Body keys the SDK&apos;s ``create()`` takes by name; everything else travels in ``extra_body``. The closing instruction sent instead of a prefill the model refuses. The key comes from the variable ``key_env`` named on the command line (--api-key-env).</extracomment>
        <translation>变体 {label}，参数 {name}：{reason}</translation>
    </message>
    <message>
        <source>{refusal} Or send the prefix as a closing instruction (prefill_mode &quot;instruction&quot;).</source>
        <translation>{refusal}或者把前缀作为结尾指令发送（prefill_mode &quot;instruction&quot;）。</translation>
    </message>
    <message>
        <source>DeepSeek continues a prefix only on its beta base URL (https://api.deepseek.com/beta): change the provider&apos;s base URL.</source>
        <translation>DeepSeek 只在其 beta Base URL（https://api.deepseek.com/beta）上续写前缀：请修改该服务商的 Base URL。</translation>
    </message>
    <message>
        <source>Partial mode cannot be combined with response_format json_object: turn one off.</source>
        <translation>partial 模式不能与 response_format json_object 同时使用：请关闭其中之一。</translation>
    </message>
    <message>
        <source>Moonshot accepts a temperature between {low} and {high}, not {value}.</source>
        <translation>Moonshot 接受的 temperature 在 {low} 到 {high} 之间，不能是 {value}。</translation>
    </message>
    <message>
        <source>Variant {label}: {problem}</source>
        <translation>变体 {label}：{problem}</translation>
    </message>
    <message>
        <source>Variant {label}, system message: {problem}</source>
        <translation>变体 {label}，系统消息：{problem}</translation>
    </message>
    <message>
        <source>{provider} cannot prefill an answer: its API has no partial or prefix mode. Choose Moonshot, DeepSeek, vLLM or a local server to use partial.</source>
        <extracomment>The name the first version gave the dataclass; presets are plain ProviderConfig values. Kinds a user-added provider may have; ``custom`` is any OpenAI-compatible server. ``anthropic`` speaks the Messages API (``POST {base}/v1/messages``) instead.</extracomment>
        <translation>{provider} 无法预填回答：其 API 没有 partial 或 prefix 模式。要使用 partial，请选择 Moonshot、DeepSeek、vLLM 或本地服务器。</translation>
    </message>
    <message>
        <source>Choose a model.</source>
        <extracomment>Keys of ``params`` the parameters panel edits; others are kept and sent as they are. The largest max_tokens any API takes (a signed 32-bit integer); the field cannot show more. Workbench-only data kept inside a tool object; stripped before sending. Unset by default: current Kimi models fix their sampling parameters.</extracomment>
        <translation>请选择模型。</translation>
    </message>
    <message>
        <source>Temperature must be between 0 and 2.</source>
        <translation>temperature 必须在 0 到 2 之间。</translation>
    </message>
    <message>
        <source>top_p must be above 0 and at most 1.</source>
        <translation>top_p 必须大于 0 且不超过 1。</translation>
    </message>
    <message>
        <source>max_tokens must be a positive number of tokens.</source>
        <translation>max_tokens 必须是正的 token 数。</translation>
    </message>
    <message>
        <source>max_tokens must be at most {limit}.</source>
        <translation>max_tokens 最多为 {limit}。</translation>
    </message>
    <message>
        <source>At most 4 stop sequences.</source>
        <translation>最多 4 个停止序列。</translation>
    </message>
    <message>
        <source>A stop sequence cannot be empty.</source>
        <translation>停止序列不能为空。</translation>
    </message>
    <message>
        <source>response_format is text or json_object.</source>
        <translation>response_format 只能是 text 或 json_object。</translation>
    </message>
    <message>
        <source>No value for {names}: the test case has no value for it.</source>
        <extracomment>The edit of the test cases (``tests_changing``/``tests_changed``). The most variants (Compare columns) a workspace holds; fewer than 2 cannot be compared. The case whose values fill the variables of Send, the meter and Compare (not saved). What importing a request body changed or kept aside, as sentences (not saved). For a copy made by :meth:`filled`: the values its cards were filled with (a variant&apos;s own system message, not one of its cards, is filled with them where it becomes a message: :func:`workbench.core.payloads.variant_conversation`). None otherwise.</extracomment>
        <translation>{names} 没有值：该测试用例没有为它提供值。</translation>
    </message>
    <message>
        <source>No value for {names}: test case {number} has no value for it.</source>
        <translation>{names} 没有值：测试用例 {number} 没有为它提供值。</translation>
    </message>
    <message>
        <source>No value for {names}: add a test case in the Tests tab to give it a value.</source>
        <translation>{names} 没有值：请在“测试”标签页添加测试用例来为它赋值。</translation>
    </message>
    <message>
        <source>Parameter {name}: {reason}</source>
        <translation>参数 {name}：{reason}</translation>
    </message>
    <message>
        <source>Partial mode cannot be combined with response_format json_object: turn one off (a partial &apos;{&apos; already asks for JSON).</source>
        <translation>partial 模式不能与 response_format json_object 同时使用：请关闭其中之一（以 &apos;{&apos; 开头的 partial 已经在要求 JSON）。</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Walk every card in order (the list scrolls to it)</source>
        <translation>按顺序遍历每张卡片（列表随之滚动）</translation>
    </message>
    <message>
        <source>Move the focused card</source>
        <translation>移动当前卡片</translation>
    </message>
    <message>
        <source>History: from the search to the list; reopen the run</source>
        <translation>历史：从搜索框到列表；重新打开该次运行</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
</context>
<context>
    <name>TestProblems</name>
    <message>
        <source>shared assert</source>
        <translation>共享断言</translation>
    </message>
    <message>
        <source>test {case}</source>
        <translation>测试 {case}</translation>
    </message>
    <message>
        <source>{place}, {field}</source>
        <translation>{place}，{field}</translation>
    </message>
    <message>
        <source>{place}: {problem}</source>
        <translation>{place}：{problem}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>unknown variable {name}: the prompt does not use it (it uses {known})</source>
        <translation>未知变量 {name}：提示词没有使用它（使用的是 {known}）</translation>
    </message>
    <message>
        <source>no value for {names}</source>
        <translation>{names} 没有值</translation>
    </message>
    <message>
        <source>no value for {names} (the system message of variant {label})</source>
        <translation>{names} 没有值（变体 {label} 的系统消息用到它）</translation>
    </message>
    <message>
        <source>no value for {names} (a rubricPrompt has {variables} and the case&apos;s variables)</source>
        <translation>{names} 没有值（rubricPrompt 可用 {variables} 和测试用例自己的变量）</translation>
    </message>
    <message>
        <source>no value for {names} (test {case}) (a rubricPrompt has {variables} and the case&apos;s variables)</source>
        <translation>{names} 没有值（测试 {case}）（rubricPrompt 可用 {variables} 和测试用例自己的变量）</translation>
    </message>
</context>
<context>
    <name>TestsTable</name>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Assertions</source>
        <translation>断言</translation>
    </message>
</context>
<context>
    <name>TestsView</name>
    <message>
        <source>Add case</source>
        <extracomment>The bar above Send that shows the variables (set by ``install``). Coroutines (the evaluation, listing baselines) and the store&apos;s writes, in order. The summary row of each variant, kept up to date cell by cell. Finished cells not written yet: committed together every WRITE_MS. Finished cells waiting to be shown: a few per pass of the event loop.</extracomment>
        <translation>添加用例</translation>
    </message>
    <message>
        <source>Add a test case below the selected one</source>
        <translation>在所选用例下方添加测试用例</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Move the case up</source>
        <translation>上移此用例</translation>
    </message>
    <message>
        <source>Move the case down</source>
        <translation>下移此用例</translation>
    </message>
    <message>
        <source>Shared asserts…</source>
        <translation>共享断言…</translation>
    </message>
    <message>
        <source>Assertions every case is checked against</source>
        <translation>每个用例都要检查的断言</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Add cases from a CSV or JSONL file (a column per variable)</source>
        <translation>从 CSV 或 JSONL 文件添加用例（每个变量一列）</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Paste rows</source>
        <translation>粘贴行</translation>
    </message>
    <message>
        <source>Add cases from rows copied in a spreadsheet (Ctrl+V in the table)</source>
        <translation>从电子表格复制的行添加用例（在表格中按 Ctrl+V）</translation>
    </message>
    <message>
        <source>Run every case this many times (stability)</source>
        <translation>每个用例运行的次数（检验稳定性）</translation>
    </message>
    <message>
        <source>Run evaluation</source>
        <translation>运行评测</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop every run of the evaluation</source>
        <translation>停止评测的所有运行</translation>
    </message>
    <message>
        <source>The evaluation the grid is compared with</source>
        <translation>网格与之对比的评测</translation>
    </message>
    <message>
        <source>Mark as baseline</source>
        <translation>设为基线</translation>
    </message>
    <message>
        <source>Compare later evaluations with the one shown</source>
        <translation>之后的评测与当前显示的这次对比</translation>
    </message>
    <message>
        <source>Only changes</source>
        <translation>仅显示变化</translation>
    </message>
    <message>
        <source>Show only the rows that changed against the baseline</source>
        <translation>只显示相对基线有变化的行</translation>
    </message>
    <message>
        <source>Baseline:</source>
        <translation>基线：</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <source>Pass rate</source>
        <translation>通过率</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Failed / errors</source>
        <translation>失败 / 错误</translation>
    </message>
    <message>
        <source>Mean latency</source>
        <translation>平均延迟</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Failures by assertion</source>
        <translation>按断言统计的失败</translation>
    </message>
    <message>
        <source>Add a test case</source>
        <translation>添加测试用例</translation>
    </message>
    <message>
        <source>Duplicate {count} test case(s)</source>
        <translation>复制 {count} 个测试用例</translation>
    </message>
    <message>
        <source>Assertions of test case {row}</source>
        <translation>测试用例 {row} 的断言</translation>
    </message>
    <message>
        <source>Edit the assertions of test case {row}</source>
        <translation>编辑测试用例 {row} 的断言</translation>
    </message>
    <message>
        <source>Assertions for every case</source>
        <translation>所有用例的断言</translation>
    </message>
    <message>
        <source>No test cases found.</source>
        <translation>没有找到测试用例。</translation>
    </message>
    <message>
        <source>{what}: {value1} test case(s).</source>
        <translation>{what}：{value1} 个测试用例。</translation>
    </message>
    <message>
        <source>Paste: {error}</source>
        <translation>粘贴：{error}</translation>
    </message>
    <message>
        <source>Import test cases</source>
        <translation>导入测试用例</translation>
    </message>
    <message>
        <source>Cannot read {path}: {strerror}</source>
        <translation>无法读取 {path}：{strerror}</translation>
    </message>
    <message>
        <source>Export test cases</source>
        <translation>导出测试用例</translation>
    </message>
    <message>
        <source>Cannot write {path}: {strerror}</source>
        <translation>无法写入 {path}：{strerror}</translation>
    </message>
    <message>
        <source>Exported {value0} test case(s) to {path}</source>
        <translation>已将 {value0} 个测试用例导出到 {path}</translation>
    </message>
    <message>
        <source>No evaluation yet. {cases} test case(s) × {columns} variant(s) are ready: press Run evaluation ({shortcut}) to run every case through each variant and check its assertions.</source>
        <translation>还没有评测。{cases} 个测试用例 × {columns} 个变体已就绪：按“运行评测”（{shortcut}）即可用每个变体运行所有用例并检查断言。</translation>
    </message>
    <message>
        <source>No evaluation yet. Add test cases in the table above (Add case, Paste rows or Import…), each with a value per {{{{variable}}}} and its assertions, then press Run evaluation ({shortcut}).</source>
        <translation>还没有评测。请在上方表格中添加测试用例（“添加用例”“粘贴行”或“导入…”），为每个 {{{{variable}}}} 填上值并写好断言，然后按“运行评测”（{shortcut}）。</translation>
    </message>
    <message>
        <source> (and {count} more, marked in red)</source>
        <translation>（另有 {count} 处，已标红）</translation>
    </message>
    <message>
        <source>Fix the test cases first: {problem}</source>
        <translation>请先修正测试用例：{problem}</translation>
    </message>
    <message>
        <source> (and {count} more)</source>
        <translation>（另有 {count} 处）</translation>
    </message>
    <message>
        <source>The evaluation failed: {error}</source>
        <translation>评测失败：{error}</translation>
    </message>
    <message>
        <source>The history cannot be written; the evaluation is not kept ({error}).</source>
        <translation>无法写入历史记录，此次评测不会保留（{error}）。</translation>
    </message>
    <message>
        <source>A run was not recorded in the history: {message}</source>
        <translation>有一次运行未记录到历史：{message}</translation>
    </message>
    <message>
        <source>tool call {name}</source>
        <translation>工具调用 {name}</translation>
    </message>
    <message>
        <source>{running} running, {queued} queued, {done} done</source>
        <translation>{running} 个运行中，{queued} 个排队，{done} 个完成</translation>
    </message>
    <message>
        <source>{passed}/{rows} passed, {failed} failed, {errors} errors in {seconds:.1f} s</source>
        <translation>{passed}/{rows} 通过，{failed} 失败，{errors} 错误，用时 {seconds:.1f} 秒</translation>
    </message>
    <message>
        <source>Run &amp;evaluation</source>
        <translation>运行评测(&amp;E)</translation>
    </message>
    <message>
        <source>Add a test case first.</source>
        <translation>请先添加测试用例。</translation>
    </message>
    <message>
        <source>Run every case through each variant and check the assertions ({shortcut})</source>
        <translation>用每个变体运行所有用例并检查断言（{shortcut}）</translation>
    </message>
    <message>
        <source> (stopped)</source>
        <translation>（已停止）</translation>
    </message>
    <message>
        <source>Evaluation stopped; the finished cells are kept.</source>
        <translation>评测已停止；已完成的单元格会保留。</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>#{id} {when} — {passed}/{done} passed</source>
        <translation>#{id} {when} — {passed}/{done} 通过</translation>
    </message>
    <message>
        <source> (cut short)</source>
        <translation>（未完成）</translation>
    </message>
    <message>
        <source>Evaluation #{evaluation_id} is now the baseline.</source>
        <translation>评测 #{evaluation_id} 现在是基线。</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>测试</translation>
    </message>
</context>
<context>
    <name>TokenMeter</name>
    <message>
        <source>Counting {value0:,} cards…</source>
        <extracomment>The last exact count: what it counted (signature), the total, whether tools were in it, and the local estimate of what it counted (tools included when they were). Edits of what is sent (cards, the case filling their variables): the exact count is that of one revision of the messages. Recounts, exact-count targets and calibration writes, one at a time off the UI thread. A worker is counting cards with much new text (see _count_in_background).</extracomment>
        <translation>正在统计 {value0:,} 张卡片…</translation>
    </message>
    <message>
        <source>Loading the tokenizer…</source>
        <translation>正在加载分词器…</translation>
    </message>
    <message>
        <source>Exact count unavailable: no event loop is running.</source>
        <translation>无法精确计数：没有运行中的事件循环。</translation>
    </message>
    <message>
        <source>Exact count failed, showing the estimate: {reason}</source>
        <translation>精确计数失败，显示估算值：{reason}</translation>
    </message>
    <message>
        <source>{tokens} tok</source>
        <translation>{tokens} token</translation>
    </message>
    <message>
        <source>≈ {tokens} tokens (estimate, including the 3-token message overhead)</source>
        <translation>≈ {tokens} tokens（估算，含每条消息 3 个 token 的开销）</translation>
    </message>
    <message>
        <source>max_tokens set to {tokens} (Undo to go back).</source>
        <translation>max_tokens 已设为 {tokens}（撤销可恢复）。</translation>
    </message>
    <message>
        <source>Model set to {model} (Undo to go back).</source>
        <translation>模型已设为 {model}（可撤销）。</translation>
    </message>
</context>
<context>
    <name>TokenMeterBar</name>
    <message>
        <source>context window unknown</source>
        <extracomment>Share of the window above which the meter turns amber, then red. Characters of not-yet-counted text above which a recount goes to a worker thread. The narrowest a segment with tokens in it is drawn. Where to ask for exact counts (base URL, key, provider kind), or None when there is nowhere. A plain (base URL, key) pair means Moonshot&apos;s endpoint.</extracomment>
        <translation>上下文窗口未知</translation>
    </message>
</context>
<context>
    <name>TokenMeterPanel</name>
    <message>
        <source>Use it</source>
        <extracomment>The widest figures a meter line is expected to show: its height is reserved for them. ((font key, tags), the widest tag) as last measured.</extracomment>
        <translation>使用</translation>
    </message>
    <message>
        <source>Moonshot counts the prompt plus the reserved output (max_completion_tokens) against the tokens-per-minute limit: an oversized reservation burns quota. Fit reserves what the window leaves after the prompt, capped by the model&apos;s output limit.</source>
        <translation>Moonshot 按提示词加预留输出（max_completion_tokens）计入每分钟 token 限额：预留过大会浪费配额。“适配”会预留上下文窗口在提示词之后剩余的部分，并以模型的输出上限为界。</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适配</translation>
    </message>
    <message>
        <source>{alias} would route it to {model}, whose window does not hold it: the API would refuse it.</source>
        <translation>{alias} 会把它路由到 {model}，但其上下文窗口放不下：API 会拒绝这个请求。</translation>
    </message>
    <message>
        <source>{alias} would route it to {model}.</source>
        <translation>{alias} 会把它路由到 {model}。</translation>
    </message>
    <message>
        <source>Nothing fits: {needed} tokens needed, {shortfall} more than the largest window ({model}). Shorten the conversation or lower max_tokens.</source>
        <translation>没有模型放得下：需要 {needed} tokens，比最大的上下文窗口（{model}）多 {shortfall}。请缩短对话或调低 max_tokens。</translation>
    </message>
    <message>
        <source>No known context window to compare with for {model}.</source>
        <translation>{model} 没有已知的上下文窗口可供比较。</translation>
    </message>
    <message>
        <source>{model} is the best fit: {needed} of {window} tokens.</source>
        <translation>{model} 最合适：占用 {window} tokens 中的 {needed}。</translation>
    </message>
    <message>
        <source>same family</source>
        <translation>同系列</translation>
    </message>
    <message>
        <source>same provider</source>
        <translation>同服务商</translation>
    </message>
    <message>
        <source>{current} holds {window} tokens but {needed} are needed; {model} ({scope}) holds them.</source>
        <translation>{current} 只能容纳 {window} tokens，但需要 {needed}；{model}（{scope}）可以容纳。</translation>
    </message>
    <message>
        <source>{model} ({scope}) also holds the {needed} tokens needed.</source>
        <translation>{model}（{scope}）也能容纳所需的 {needed} tokens。</translation>
    </message>
    <message>
        <source>exact</source>
        <translation>精确</translation>
    </message>
    <message>
        <source>exact; tools estimated</source>
        <translation>精确；工具为估算</translation>
    </message>
    <message>
        <source>exact count + estimated edits</source>
        <translation>精确计数 + 估算的编辑</translation>
    </message>
    <message>
        <source>estimate, calibrated</source>
        <translation>估算，已校准</translation>
    </message>
    <message>
        <source>estimate</source>
        <translation>估算</translation>
    </message>
    <message>
        <source>{prefix}{prompt_tokens} prompt + {reserved_output} output{window} tokens ({tag})</source>
        <translation>{prefix}{prompt_tokens} 提示 + {reserved_output} 输出{window} tokens（{tag}）</translation>
    </message>
    <message>
        <source>{tag}; context window unknown</source>
        <translation>{tag}；上下文窗口未知</translation>
    </message>
    <message>
        <source>system</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>System {system} · messages {messages} · tools {tools} · reserved output {reserved}</source>
        <translation>系统 {system} · 消息 {messages} · 工具 {tools} · 预留输出 {reserved}</translation>
    </message>
    <message>
        <source> · margin {margin}</source>
        <translation> · 余量 {margin}</translation>
    </message>
    <message>
        <source>The provider&apos;s last exact count, plus the local estimate of the edits made since; the exact count follows when typing pauses.</source>
        <translation>服务商上次的精确计数，加上此后编辑内容的本地估算；停止输入后会再取得精确计数。</translation>
    </message>
    <message>
        <source>Messages and tools counted by the provider&apos;s count endpoint.</source>
        <translation>消息和工具均由服务商的计数接口精确计数。</translation>
    </message>
    <message>
        <source>Messages counted by the provider&apos;s tokenizer endpoint.</source>
        <translation>消息由服务商的分词接口计数。</translation>
    </message>
    <message>
        <source>Tools are a local estimate: the endpoint does not count them.</source>
        <translation>工具为本地估算：该接口不统计工具。</translation>
    </message>
    <message>
        <source>Local estimate with {encoding}, not the model&apos;s own tokenizer.</source>
        <translation>使用 {encoding} 的本地估算，而非模型自己的分词器。</translation>
    </message>
    <message>
        <source>Calibrated by earlier exact counts (×{ratio:.3f}).</source>
        <translation>已按此前的精确计数校准（×{ratio:.3f}）。</translation>
    </message>
    <message>
        <source>Counts against the rate limit: {prefix}{total} tokens (prompt + {reserved} reserved output)</source>
        <translation>计入速率限制：{prefix}{total} 个 token（提示词 + {reserved} 预留输出）</translation>
    </message>
    <message>
        <source>Set max_tokens to {tokens}: what the window leaves after the prompt, capped by the model&apos;s output limit.</source>
        <translation>将 max_tokens 设为 {tokens}：上下文窗口在提示词之后剩余的部分，以模型的输出上限为界。</translation>
    </message>
    <message>
        <source>Fit needs the model&apos;s window or output limit (not in the catalog).</source>
        <translation>适配需要模型的上下文窗口或输出上限（目录中没有）。</translation>
    </message>
    <message>
        <source>Cost: unknown (no prices for this model)</source>
        <translation>费用：未知（此模型没有价格信息）</translation>
    </message>
    <message>
        <source>The catalog has no prices for it: not free, unknown.</source>
        <translation>模型目录中没有它的价格：不是免费，而是未知。</translation>
    </message>
    <message>
        <source> · cached input {cost}</source>
        <translation> · 缓存输入 {cost}</translation>
    </message>
    <message>
        <source>Cost ≤ {total} (input {input} + max output {output}){cached}</source>
        <translation>费用 ≤ {total}（输入 {input} + 最大输出 {output}）{cached}</translation>
    </message>
    <message>
        <source>Input at the full price plus the maximum output; when the provider&apos;s context cache hits, the input costs the cached price instead.</source>
        <translation>按全价输入加最大输出计算；服务商上下文缓存命中时，输入按缓存价计费。</translation>
    </message>
    <message>
        <source>Recommended: &lt;b&gt;{model}&lt;/b&gt;</source>
        <translation>推荐：&lt;b&gt;{model}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Recommended: {model} (current)</source>
        <translation>推荐：{model}（当前）</translation>
    </message>
    <message>
        <source>Switch the model to {model} (undoable)</source>
        <translation>将模型切换为 {model}（可撤销）</translation>
    </message>
</context>
<context>
    <name>ToolCallCards</name>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Send the conversation with the tool results</source>
        <translation>带上工具结果发送对话</translation>
    </message>
    <message>
        <source>Tool calls ({count})</source>
        <translation>工具调用（{count}）</translation>
    </message>
    <message>
        <source>Tool result</source>
        <translation>工具结果</translation>
    </message>
    <message>
        <source>The model called {value0} tool(s): fill in the results, then Continue.</source>
        <translation>模型调用了 {value0} 个工具：请填写结果，然后点击“继续”。</translation>
    </message>
</context>
<context>
    <name>ToolCalls</name>
    <message>
        <source>receiving tool calls…</source>
        <translation>正在接收工具调用…</translation>
    </message>
    <message>
        <source>This tool result answers no call: it needs the tool_call_id of an earlier call.</source>
        <translation>此工具结果没有对应的调用：它需要之前某次调用的 tool_call_id。</translation>
    </message>
    <message>
        <source>Result of &lt;b&gt;{name}&lt;/b&gt; · call {id}</source>
        <translation>&lt;b&gt;{name}&lt;/b&gt; 的结果 · 调用 {id}</translation>
    </message>
    <message>
        <source>No earlier tool call has the id {id}.</source>
        <translation>之前没有 id 为 {id} 的工具调用。</translation>
    </message>
</context>
<context>
    <name>ToolEditor</name>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
</context>
<context>
    <name>ToolFormView</name>
    <message>
        <source>+ Parameter</source>
        <translation>+ 参数</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Enum (comma-separated)</source>
        <translation>枚举（逗号分隔）</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
</context>
<context>
    <name>Tools</name>
    <message>
        <source>3 to 64 letters, digits, _ or -, starting with a letter or _</source>
        <extracomment>Moonshot&apos;s rule for function names (DESIGN section 4). OpenAI&apos;s rule, used for every other OpenAI-compatible provider.</extracomment>
        <translation>3 到 64 个字母、数字、_ 或 -，以字母或 _ 开头</translation>
    </message>
    <message>
        <source>1 to 64 letters, digits, _ or -</source>
        <translation>1 到 64 个字母、数字、_ 或 -</translation>
    </message>
    <message>
        <source>line {line}, column {column}: {path}: {message}</source>
        <translation>第 {line} 行，第 {column} 列：{path}：{message}</translation>
    </message>
    <message>
        <source>line {line}, column {column}: {message}</source>
        <translation>第 {line} 行，第 {column} 列：{message}</translation>
    </message>
    <message>
        <source>{path}: {message}</source>
        <translation>{path}：{message}</translation>
    </message>
    <message>
        <source>{message}</source>
        <translation>{message}</translation>
    </message>
    <message>
        <source>Not valid JSON: {error}.</source>
        <translation>不是有效的 JSON：{error}。</translation>
    </message>
    <message>
        <source>A tool must be a JSON object: {&quot;type&quot;: &quot;function&quot;, &quot;function&quot;: {...}}.</source>
        <translation>工具必须是 JSON 对象：{&quot;type&quot;: &quot;function&quot;, &quot;function&quot;: {...}}。</translation>
    </message>
    <message>
        <source>Unknown key {key} (did you mean {guess}?); the API ignores or refuses it.</source>
        <translation>未知的键 {key}（是否想写 {guess}？）；API 会忽略或拒绝它。</translation>
    </message>
    <message>
        <source>Unknown key {key}; the API ignores or refuses it.</source>
        <translation>未知的键 {key}；API 会忽略或拒绝它。</translation>
    </message>
    <message>
        <source>Missing &quot;type&quot;: use &quot;function&quot;.</source>
        <translation>缺少 &quot;type&quot;：请使用 &quot;function&quot;。</translation>
    </message>
    <message>
        <source>&quot;type&quot; must be &quot;function&quot;, not {kind}.</source>
        <translation>&quot;type&quot; 必须是 &quot;function&quot;，而不是 {kind}。</translation>
    </message>
    <message>
        <source>Missing &quot;function&quot;: an object with name, description and parameters.</source>
        <translation>缺少 &quot;function&quot;：一个包含 name、description 和 parameters 的对象。</translation>
    </message>
    <message>
        <source>&quot;function&quot; must be an object with name, description, parameters.</source>
        <translation>&quot;function&quot; 必须是包含 name、description、parameters 的对象。</translation>
    </message>
    <message>
        <source>Missing &quot;function.name&quot;.</source>
        <translation>缺少 &quot;function.name&quot;。</translation>
    </message>
    <message>
        <source>The function name must be a string.</source>
        <translation>函数名必须是字符串。</translation>
    </message>
    <message>
        <source>Name {name} is not allowed by {provider}: use {rule}.</source>
        <translation>{provider} 不允许名称 {name}：请使用 {rule}。</translation>
    </message>
    <message>
        <source>No &quot;description&quot;: the model decides when to call a tool from its description.</source>
        <translation>没有 &quot;description&quot;：模型根据描述决定何时调用工具。</translation>
    </message>
    <message>
        <source>The description must be a string.</source>
        <translation>描述必须是字符串。</translation>
    </message>
    <message>
        <source>The description is empty.</source>
        <translation>描述为空。</translation>
    </message>
    <message>
        <source>No &quot;parameters&quot;: add {&quot;type&quot;: &quot;object&quot;, &quot;properties&quot;: {}} for a tool without arguments.</source>
        <translation>没有 &quot;parameters&quot;：不带参数的工具请添加 {&quot;type&quot;: &quot;object&quot;, &quot;properties&quot;: {}}。</translation>
    </message>
    <message>
        <source>&quot;parameters&quot; must be a JSON Schema object: {&quot;type&quot;: &quot;object&quot;, ...}.</source>
        <translation>&quot;parameters&quot; 必须是 JSON Schema 对象：{&quot;type&quot;: &quot;object&quot;, ...}。</translation>
    </message>
    <message>
        <source>The root of &quot;parameters&quot; must be {&quot;type&quot;: &quot;object&quot;}.</source>
        <translation>&quot;parameters&quot; 的根必须是 {&quot;type&quot;: &quot;object&quot;}。</translation>
    </message>
    <message>
        <source>{item} is required but not among the properties.</source>
        <translation>{item} 被列为必填，但不在 properties 中。</translation>
    </message>
    <message>
        <source>{value} is not a JSON Schema type: use {types}.</source>
        <translation>{value} 不是 JSON Schema 类型：请使用 {types}。</translation>
    </message>
    <message>
        <source>Invalid schema: {error}.</source>
        <translation>无效的 schema：{error}。</translation>
    </message>
    <message>
        <source>Duplicate name {name}: tool {others} has it too; names must be unique.</source>
        <translation>名称 {name} 重复：工具 {others} 也用了它；名称必须唯一。</translation>
    </message>
    <message>
        <source>{enabled} tools are enabled; {provider} accepts at most {most}: disable some.</source>
        <translation>已启用 {enabled} 个工具；{provider} 最多接受 {most} 个：请停用一些。</translation>
    </message>
    <message>
        <source>tool_choice is required but no tool is enabled.</source>
        <translation>tool_choice 为 required，但没有启用任何工具。</translation>
    </message>
    <message>
        <source>tool_choice names the function {name}, which is not an enabled tool.</source>
        <translation>tool_choice 指定了函数 {name}，但它不是已启用的工具。</translation>
    </message>
</context>
<context>
    <name>ToolsEditor</name>
    <message>
        <source>The workspace&apos;s tools; ticked ones are sent with the next run</source>
        <extracomment>Pause after the last keystroke before the tool is checked again. The last text the form wrote, so that showing it does not rebuild the form mid-edit. The tool the form shows (None: no tool). What each row and the tool_choice list show, so that a keystroke touches only the edited tool&apos;s row in Qt.</extracomment>
        <translation>工作区的工具；勾选的会在下次运行时发送</translation>
    </message>
    <message>
        <source>+ Add</source>
        <translation>+ 添加</translation>
    </message>
    <message>
        <source>Add a tool</source>
        <translation>添加工具</translation>
    </message>
    <message>
        <source>Blank tool</source>
        <translation>空白工具</translation>
    </message>
    <message>
        <source>Template: {label}</source>
        <translation>模板：{label}</translation>
    </message>
    <message>
        <source>From JSON…</source>
        <translation>从 JSON…</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Duplicate the tool</source>
        <translation>复制此工具</translation>
    </message>
    <message>
        <source>Delete the tool</source>
        <translation>删除此工具</translation>
    </message>
    <message>
        <source>Move the tool up</source>
        <translation>上移此工具</translation>
    </message>
    <message>
        <source>Move the tool down</source>
        <translation>下移此工具</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Add tools from a JSON array</source>
        <translation>从 JSON 数组添加工具</translation>
    </message>
    <message>
        <source>From file…</source>
        <translation>从文件…</translation>
    </message>
    <message>
        <source>From clipboard</source>
        <translation>从剪贴板</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Write the tools as an OpenAI tools array</source>
        <translation>将工具写成 OpenAI 工具数组</translation>
    </message>
    <message>
        <source>To file…</source>
        <translation>到文件…</translation>
    </message>
    <message>
        <source>To clipboard</source>
        <translation>到剪贴板</translation>
    </message>
    <message>
        <source>tool_choice: auto lets the model decide, none forbids calls, required forces one, or force a named function</source>
        <translation>tool_choice：auto 由模型决定，none 禁止调用，required 强制调用一个，或强制调用指定函数</translation>
    </message>
    <message>
        <source>Add a tool to edit its JSON schema here.</source>
        <translation>添加一个工具，在这里编辑它的 JSON schema。</translation>
    </message>
    <message>
        <source>Problems of the selected tool; click one to go to it</source>
        <translation>所选工具的问题；点击可跳转</translation>
    </message>
    <message>
        <source>Optional: what this tool would return, e.g. the output of a sample run</source>
        <translation>可选：此工具会返回的内容，例如一次示例运行的输出</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Mock result (pre-fills the result card when the model calls it)</source>
        <translation>模拟结果（模型调用时预填到结果卡片）</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>表单</translation>
    </message>
    <message>
        <source>Add a tool to edit it here.</source>
        <translation>添加一个工具，在这里编辑它。</translation>
    </message>
    <message>
        <source>function: {name} (not an enabled tool)</source>
        <translation>function: {name}（不是已启用的工具）</translation>
    </message>
    <message>
        <source>Has problems: it cannot be sent while enabled</source>
        <translation>存在问题：启用时无法发送</translation>
    </message>
    <message>
        <source>✓ No problems: this tool can be sent.</source>
        <translation>✓ 没有问题：此工具可以发送。</translation>
    </message>
    <message>
        <source>Add tool</source>
        <translation>添加工具</translation>
    </message>
    <message>
        <source>Add {count} tools</source>
        <translation>添加 {count} 个工具</translation>
    </message>
    <message>
        <source>Add tools from JSON</source>
        <translation>从 JSON 添加工具</translation>
    </message>
    <message>
        <source>Paste a tool object, a tools array or a request body:</source>
        <translation>粘贴工具对象、工具数组或请求体：</translation>
    </message>
    <message>
        <source>the pasted text</source>
        <translation>粘贴的文本</translation>
    </message>
    <message>
        <source>Cannot add tools</source>
        <translation>无法添加工具</translation>
    </message>
    <message>
        <source>Expected a JSON array of tools (OpenAI format), one tool or a request body.</source>
        <translation>需要 JSON 工具数组（OpenAI 格式）、单个工具或请求体。</translation>
    </message>
    <message>
        <source>Added {count} tool(s) from {what}.</source>
        <translation>已从{what}添加 {count} 个工具。</translation>
    </message>
    <message>
        <source>Duplicate tool</source>
        <translation>复制工具</translation>
    </message>
    <message>
        <source>The clipboard holds no text to import.</source>
        <translation>剪贴板中没有可导入的文本。</translation>
    </message>
    <message>
        <source>the clipboard</source>
        <translation>剪贴板</translation>
    </message>
    <message>
        <source>Import tools</source>
        <translation>导入工具</translation>
    </message>
    <message>
        <source>Export tools</source>
        <translation>导出工具</translation>
    </message>
    <message>
        <source>tools.json</source>
        <translation>tools.json</translation>
    </message>
    <message>
        <source>Cannot import tools</source>
        <translation>无法导入工具</translation>
    </message>
    <message>
        <source>Cannot export tools</source>
        <translation>无法导出工具</translation>
    </message>
    <message>
        <source>the file</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Exported {count} tool(s) to {where}.</source>
        <translation>已将 {count} 个工具导出到{where}。</translation>
    </message>
    <message>
        <source>{count} left out: their text is not valid JSON yet.</source>
        <translation>{count} 个未导出：它们的文本还不是有效的 JSON。</translation>
    </message>
</context>
<context>
    <name>UndoCommands</name>
    <message>
        <source>Edit {names} of message {number}</source>
        <extracomment>Keystrokes closer together than this merge into one undo step; a pause starts a new one.</extracomment>
        <translation>编辑第 {number} 条消息的 {names}</translation>
    </message>
    <message>
        <source>Delete message {number}</source>
        <translation>删除第 {number} 条消息</translation>
    </message>
    <message>
        <source>Move message {source} to {destination}</source>
        <translation>将第 {source} 条消息移到第 {destination} 条</translation>
    </message>
    <message>
        <source>Rename workspace</source>
        <translation>重命名工作区</translation>
    </message>
    <message>
        <source>Set {name}</source>
        <translation>设置 {name}</translation>
    </message>
    <message>
        <source>Remove variant {label}</source>
        <extracomment>Edits of one field of one variant closer together than this merge into one undo step.</extracomment>
        <translation>移除变体 {label}</translation>
    </message>
    <message>
        <source>Move variant {label}</source>
        <translation>移动变体 {label}</translation>
    </message>
    <message>
        <source>Set {name} of variant {label}</source>
        <translation>设置变体 {label} 的 {name}</translation>
    </message>
    <message>
        <source>Edit tool {number}</source>
        <extracomment>Keystrokes closer together than this merge into one undo step (as in message cards).</extracomment>
        <translation>编辑第 {number} 个工具</translation>
    </message>
    <message>
        <source>Enable tool {number}</source>
        <translation>启用第 {number} 个工具</translation>
    </message>
    <message>
        <source>Disable tool {number}</source>
        <translation>停用第 {number} 个工具</translation>
    </message>
    <message>
        <source>Edit mock result of tool {number}</source>
        <translation>编辑第 {number} 个工具的模拟结果</translation>
    </message>
    <message>
        <source>Delete tool {number}</source>
        <translation>删除第 {number} 个工具</translation>
    </message>
    <message>
        <source>Move tool {source} to {destination}</source>
        <translation>将第 {source} 个工具移到第 {destination} 个</translation>
    </message>
    <message>
        <source>Set tool_choice</source>
        <translation>设置 tool_choice</translation>
    </message>
    <message>
        <source>Delete {count} test case(s)</source>
        <translation>删除 {count} 个测试用例</translation>
    </message>
    <message>
        <source>Move test case {index}</source>
        <translation>移动测试用例 {index}</translation>
    </message>
    <message>
        <source>Edit the shared assertions</source>
        <translation>编辑共享断言</translation>
    </message>
    <message>
        <source>Edit the description of test case {row}</source>
        <translation>编辑测试用例 {row} 的描述</translation>
    </message>
    <message>
        <source>Edit {variable} of test case {row}</source>
        <translation>编辑测试用例 {row} 的 {variable}</translation>
    </message>
</context>
<context>
    <name>VariablesBar</name>
    <message>
        <source>The test case whose values fill the variables when you send</source>
        <translation>发送时用其值填充变量的测试用例</translation>
    </message>
    <message>
        <source>Filled from:</source>
        <translation>填充自：</translation>
    </message>
    <message>
        <source>Variables: {names}</source>
        <translation>变量：{names}</translation>
    </message>
    <message>
        <source>  —  no value for {names}</source>
        <translation>  —  {names} 没有值</translation>
    </message>
    <message>
        <source>(no description)</source>
        <translation>（无描述）</translation>
    </message>
    <message>
        <source>(no test cases: add one in the Tests tab)</source>
        <translation>（没有测试用例：请在“测试”标签页中添加）</translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New workspace</source>
        <translation>新建工作区(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Examples</source>
        <translation>示例(&amp;E)</translation>
    </message>
    <message>
        <source>P&amp;roperties…</source>
        <translation>属性(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Import request JSON…</source>
        <translation>导入请求 JSON(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Paste request JSON</source>
        <translation>粘贴请求 JSON(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;New message</source>
        <translation>新建消息(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Duplicate message</source>
        <translation>复制消息(&amp;D)</translation>
    </message>
    <message>
        <source>De&amp;lete message</source>
        <translation>删除消息(&amp;L)</translation>
    </message>
    <message>
        <source>Toggle &amp;partial (prefill)</source>
        <translation>切换 partial 续写（预填充）(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <extracomment>View &gt; the main tabs (Ctrl+1...) and side panels (Alt+1...), filled once features have added their tabs.</extracomment>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Next tab</source>
        <translation>下一个标签页(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Previous tab</source>
        <translation>上一个标签页(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>发送(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>About Prompt Workbench</source>
        <translation>关于 Prompt Workbench</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>偏好设置(&amp;P)…</translation>
    </message>
</context>
<context>
    <name>WorkspaceDocument</name>
    <message>
        <source>it cannot be shown ({error})</source>
        <extracomment>Held while the window is open: its autosaves belong to a running window. The file as last read or written here, to notice changes made outside the app. Why the last autosave failed, until one succeeds again (or the work is saved). Autosave writes, one after another in the order they were taken.</extracomment>
        <translation>无法显示（{error}）</translation>
    </message>
</context>
<context>
    <name>WorkspaceProperties</name>
    <message>
        <source>Workspace properties</source>
        <translation>工作区属性</translation>
    </message>
    <message>
        <source>Exports, the history and comparisons are named after the title.</source>
        <translation>导出、历史记录和对比都以此标题命名。</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
</context>
</TS>
