/// The HTTP service (Hummingbird) arrives with the product issue.
public enum WeftService {}
