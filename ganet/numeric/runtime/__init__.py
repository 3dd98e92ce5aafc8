"""What long numeric work needs around it: thread counts (:mod:`.threads`), memory accounting
(:mod:`.memory`), Ctrl-C between kernel calls (:mod:`.interrupts`), input validation
(:mod:`.validation`) and warnings that point at the user's line (:mod:`.notes`)."""
