"""Services: what people and flows ask of dutyflow (review, drafting, issuing,
simulation, the run digest), built on the rooms below."""
