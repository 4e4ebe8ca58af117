"""The audit trail and people's data rights: records, exports, retention, access and erasure."""
