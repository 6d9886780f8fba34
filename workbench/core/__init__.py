"""Qt-free domain and services. Nothing in this package may import PySide6 or workbench.ui."""
