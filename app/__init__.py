"""Municipal sex-work licensing service."""
