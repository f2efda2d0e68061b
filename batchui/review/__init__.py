"""The team lead's review screen (/review/) and the intranet status widget (/widget/)."""
