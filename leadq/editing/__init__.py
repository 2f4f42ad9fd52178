"""Layer 9, editing support: completion and hover (`complete`)."""
