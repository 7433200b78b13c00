"""The self-service kiosk shell (自助机): touch only, elderly-friendly, locked down.

    app.py              run_watchdog (restarts the shell after a crash; onewindow.root builds the shell)
    window.py           KioskWindow: navigation, identify, tasks, printing, privacy wipe, supervisor exit
    screens.py          one task per screen
    widgets.py          big buttons, numeric keypad, row lists, camera guide frame, countdown overlay
    guard.py            IdleWatch, Lockdown, SupervisorGate
    statement_print.py  the statement on the receipt printer (hardware.printing) or A4 (PDF)
    voice.py            voice prompts: Qt speech if installed, else prerecorded files, else silent
    theme.py            sizes and colours
"""
