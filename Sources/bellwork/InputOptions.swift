import ArgumentParser
import BellworkBatch
import Foundation

/// What to look for lessons in, and which files to take: `batch` and `enqueue` alike (the same discovery).
struct InputOptions: ParsableArguments {
    @Argument(help: "Folders (searched recursively) and lesson files.")
    var inputs: [String] = []

    @Option(help: ArgumentHelp("A file of lesson paths (or folders), one a line; - reads them from standard input.", valueName: "FILE"))
    var list: String?

    @Flag(help: "Analyse again the lessons that failed before.")
    var retryFailed = false

    @Flag(help: "Take the files that symbolic links in the folders lead to outside the folders given (by default such links are skipped, with a line each).")
    var followLinks = false

    @Option(help: "Files modified fewer than this many seconds ago may still be arriving: left for the next run.")
    var settleAge: Double = 60

    func validate() throws {
        if !(settleAge >= 0) { throw ValidationError("--settle-age must be 0 or more.") }
    }

    /// Neither folders, files nor a list: `what` is what the command does with them.
    func requireSome(to what: String) throws {
        if inputs.isEmpty && list == nil { throw ValidationError("Give folders or files to \(what), or --list FILE.") }
    }

    /// The list on standard input (`--list -`), read once; else nothing.
    func standardInputList() -> (contents: Data?, error: String?) {
        list == "-" ? BatchDiscovery.readStandardInput() : (nil, nil)
    }
}
