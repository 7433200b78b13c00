"""The one gateway to the platform: national field tables, tolerant reading and strict checking of messages,
interface profiles (resources/interface/*.json) and the gateway signing styles (ours, TIF, CSB).

Used by the client (core.sync builds and reads every platform message through it) and by the centre (its
tolerant normaliser and `--strict` mode read the same tables)."""
