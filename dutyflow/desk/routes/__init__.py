"""The desk's routes, one router per noun: auth (log in, log out), queue, documents, health."""
