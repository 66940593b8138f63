"""Files a run leaves behind: run folders (and, later, checkpoints)."""
