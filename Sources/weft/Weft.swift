import ArgumentParser

@main
struct Weft: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weft",
        abstract: "Text-plus-graph recommendation: encode product text, recommend, explain.",
        subcommands: [
            BenchCommand.self,
            EmbedCommand.self,
            EvaluateCommand.self,
            FinetuneCommand.self,
            InitModelCommand.self,
            MLMEvalCommand.self,
            PretrainCommand.self,
            TokenizerCommand.self,
            ImportCommand.self,
            CacheCommand.self,
            ConvertCommand.self,
            SampleCommand.self,
            ServeCommand.self,
            TrainCommand.self, RecommendCommand.self, SimilarCommand.self, AudienceCommand.self, AddProductCommand.self, ExplainCommand.self,
        ]
    )
}
