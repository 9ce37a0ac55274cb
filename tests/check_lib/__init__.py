"""What tests/check runs its stages with: the record of every check
(results) and the two lanes the guest jobs share (lanes).  The stages
themselves, and the command line, are tests/check's."""
