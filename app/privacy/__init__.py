"""Data-subject rights: an applicant's export of everything held about them, and erasure
requests handled by a clerk."""
