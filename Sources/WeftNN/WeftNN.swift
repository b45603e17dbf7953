@_exported import WeftCore

/// Layers, losses, optimisers and schedules over WeftCore's tape.
public enum WeftNN {}
