"""Layer 3, the schemas: what each API method accepts, as data. A `Criterion` row
(`criterion`), a method's `Schema`, the facts of the q wire format (`wire`), the typed
logic a filter becomes (`logic`) and the value spaces it cuts (`regions`), the field
kinds (`kinds`, one module each) and the shipped methods (`methods`)."""
