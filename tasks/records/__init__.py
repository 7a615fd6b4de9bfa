"""The records the law asks for: case hardfiles, the inventory register, recaps and destruction records."""
