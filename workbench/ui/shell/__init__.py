"""The shell: the main window that assembles the features, and the application start-up."""
