"""Report ingestion: find the tables in a folder or workbook, read, normalise and validate them."""
