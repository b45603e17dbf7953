/// SQLite catalog, dataset import and the text-embedding cache (GRDB).
public enum WeftStore {}
