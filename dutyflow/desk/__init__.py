"""The review desk: a small web application where reviewers read each notice and decide.

Server-rendered pages (FastAPI + Jinja2, no JavaScript build); every decision is written to the
database the moment it is made, through the same service as `dutyflow review`."""
