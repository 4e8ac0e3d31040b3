"""Everything Neo4j: schema, typed records, loading, queries and the local server."""
