-- What a run's row numbers count: 'line' (a CSV file's own line), 'sheet_row' (the row number Excel
-- shows), 'record' (the n-th record of JSON or of a database source).
ALTER TABLE ingest.run ADD COLUMN row_basis text NOT NULL DEFAULT 'record' CHECK (row_basis IN ('line', 'sheet_row', 'record'));
