"""Notification documents: content from Jinja2 templates, laid out as Word .docx and HTML."""
