"""Week one runs by itself: a kickoff, a mid-week reminder and a roundup, scheduled from the cohort
start through the scheduling core's ledger (`source`), with their texts built here (`render`);
the servers and projects it posts about are in `model`, its servers read through `repository`."""
