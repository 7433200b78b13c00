"""The counter shell (综合窗口): one clerk identifies the person, registers a chronic disease (备案), follows the
review, prints the forms, works the reminder, discovery and exit lists, and shows the monthly reports."""
