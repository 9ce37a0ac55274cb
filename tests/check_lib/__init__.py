"""What tests/check runs its stages with: the record of every check
(results), the two lanes the guest jobs share (lanes), and the last run's
times that balance them (weights).  The stages themselves, and the command
line, are tests/check's."""
