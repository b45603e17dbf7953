/// A function from texts to fixed-width vectors, the same one for training
/// text, texts of products added later and evidence sentences, so that
/// their similarities mean something. `source` names it precisely enough
/// that a model trained with one is never served with another.
public protocol TextEncoding: AnyObject {
    var source: TextEmbeddingSource { get }
    /// (texts.count, source.dimension) vectors.
    func embed(_ texts: [String]) throws -> Tensor
}
