import Foundation

/// Where the project's shared folder lies (the result contract, the real recordings the tests and the
/// fixture generator use): `BELLWORK_SHARED`, or `shared` beside the repository. The one place that says so
/// for the Swift side; the generator reads the same variable.
public enum SharedFolder {
    public static var url: URL {
        if let path = ProcessInfo.processInfo.environment["BELLWORK_SHARED"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        // Sources/Bellwork/SharedFolder.swift → the repository → its sibling.
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared")
    }
}
