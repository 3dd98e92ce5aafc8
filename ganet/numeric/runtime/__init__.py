"""What long numeric work needs around it: thread counts (:mod:`.threads`), memory accounting
(:mod:`.memory`), Ctrl-C between kernel calls (:mod:`.interrupts`) and input validation
(:mod:`.validation`)."""
