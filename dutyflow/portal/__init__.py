"""The branches' portal (pages under /portal, on the desk's login, sessions and CSRF) and the
JSON API under /api (per-account tokens): what an organization sees and does."""
