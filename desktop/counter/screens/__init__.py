"""The counter's screens: small widgets that render what the services return and emit what the clerk asks;
they call no service themselves (CounterWindow does, through the Runner)."""
