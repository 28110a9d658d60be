"""The command line: ``scaling-verify list | latex | verify | compare | fit`` (one module per command)."""
