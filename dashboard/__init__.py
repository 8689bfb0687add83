"""News corpus explorer: preprocessing (spaCy -> Parquet) and a Streamlit dashboard over DuckDB."""

__version__ = "0.1.0"
