//! The in-memory result set: rows, sorting, quick filter and views (being written).
