import Bellwork
import Foundation
import MediaIO
import Segmentation
import Testing

/// Every setting is declared once, checked before anything runs, and echoed so a result can be reproduced.
@Suite struct SettingsTests {
    static let lesson = CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.mp4").path

    /// The keys of a JSON object, nested ones as `group.key`.
    static func keys(_ object: [String: Any], prefix: String = "") -> Set<String> {
        var out = Set<String>()
        for (key, value) in object {
            if let inner = value as? [String: Any] { out.formUnion(keys(inner, prefix: prefix + key + ".")) }
            else { out.insert(prefix + key) }
        }
        return out
    }

    @Test func everyEchoedKeyIsDeclaredOnceWithAMeaning() throws {
        let descriptions = AnalysisConfiguration.descriptions()
        let declared = descriptions.map(\.key)
        #expect(Set(declared).count == declared.count)
        #expect(descriptions.allSatisfy { !$0.meaning.isEmpty })
        #expect(descriptions.allSatisfy { $0.range != nil || $0.type == "true or false" })
        let echoed = try JSONSerialization.jsonObject(with: JSONOutput.data(AnalysisConfiguration().settings)) as! [String: Any]
        #expect(Self.keys(echoed) == Set(declared))
        // Every default lies in its range.
        try AnalysisConfiguration().validate()
    }

    @Test func theConfigurationRoundTripsThroughJSON() throws {
        var configuration = AnalysisConfiguration()
        configuration.settleSeconds = 25
        configuration.segmentation.segmenter.transitionThreshold = 2.5
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(AnalysisConfiguration.self, from: data) == configuration)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(object["settleSeconds"] as? Double == 25 && object["minTransitionSeconds"] as? Double == 8)
    }

    @Test func theSettingsDocIsCurrent() throws {
        let doc = try String(contentsOfFile: CLI.repoRoot.appendingPathComponent("docs/SETTINGS.md").path, encoding: .utf8)
        let out = try CLI.run(["settings"])
        #expect(out.status == 0)
        #expect(out.stdout == doc, "docs/SETTINGS.md is stale: run .build/debug/bellwork settings > docs/SETTINGS.md")
    }

    /// A result's `settings`, fed back as `--config`, gives the identical result.
    @Test func echoedSettingsReproduceTheResult() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.json").path
        try #"{"segmenter": {"transitionThreshold": 1.8}, "kinds": {"groupBias": 3}, "minTransitionSeconds": 12}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let first = try CLI.run(["analyze", Self.lesson, "--format", "json", "--config", config, "--settle-seconds", "25"])
        #expect(first.status == 0, "\(first.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as! [String: Any]
        let settings = try JSONSerialization.data(withJSONObject: doc["settings"]!)
        let echo = dir.appendingPathComponent("echo.json")
        try settings.write(to: echo)
        let second = try CLI.run(["analyze", Self.lesson, "--format", "json", "--config", echo.path])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == first.stdout)
        let defaults = try CLI.run(["analyze", Self.lesson, "--format", "json"])
        #expect(defaults.stdout != first.stdout)
    }

    /// Below its range, above it, and of the wrong type: every setting is refused with one line naming it
    /// and exit 64, before the recording is opened; never a trap.
    @Test func everyBadValueIsRefusedByName() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.json")
        for item in AnalysisConfiguration.descriptions() {
            var bad: [Any] = ["seven"]
            if let range = item.range {
                let step = max(1, abs(range.upperBound - range.lowerBound) / 2)
                bad += [range.lowerBound - step, range.upperBound + step]
            }
            for value in bad {
                let parts = item.key.split(separator: ".").map(String.init)
                var object: [String: Any] = [parts.last!: value]
                if parts.count == 2 { object = [parts[0]: object] }
                try JSONSerialization.data(withJSONObject: object).write(to: config)
                let run = try CLI.run(["analyze", Self.lesson, "--config", config.path])
                #expect(run.status == 64, "\(item.key) = \(value): exit \(run.status) \(run.stderr)")
                #expect(run.stderrLines.count == 1 && run.stderr.contains(parts.last!),
                        "\(item.key) = \(value): \(run.stderr)")
            }
        }
    }

    /// The values that trapped before: each is one line and exit 64 in analyze, batch and decode.
    @Test func valuesThatTrappedAreRefused() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.json").path
        for text in [#"{"settleSeconds": -1}"#, #"{"decode": {"audioSampleRate": 0}}"#,
                     #"{"minTransitionSeconds": 1e308}"#, #"{"decode": {"analysisWidth": 0}}"#,
                     #"{"features": {"fftSize": 500}}"#, #"{"segmenter": {"switchProbability": 0}}"#] {
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            for arguments in [["analyze", Self.lesson, "--config", config],
                              ["batch", Self.lesson, "--out", dir.appendingPathComponent("batch").path, "--config", config]] {
                let run = try CLI.run(arguments)
                #expect(run.status == 64 && run.stderrLines.count == 1, "\(text) \(arguments[0]): \(run.status) \(run.stderr)")
            }
        }
        let decode = try CLI.run(["decode", Self.lesson, "--width", "0"])
        #expect(decode.status == 64 && decode.stderrLines.count == 1, "\(decode.stderr)")
        #expect(decode.stderr.contains("analysisWidth"))
    }

    /// Files written before settings were grouped by unit (one `segmentation` object) still work.
    @Test func aFlatSegmentationObjectStillReads() throws {
        let configuration = try AnalysisConfiguration.from(.object(["segmentation": .object([
            "bellMinSeconds": .number(1.5), "transitionThreshold": .number(2.5), "minTransitionSeconds": .number(8)])]))
        #expect(configuration.segmentation.bellTracker.bellMinSeconds == 1.5)
        #expect(configuration.segmentation.bellDetector.bellMinSeconds == 1.5)
        #expect(configuration.segmentation.segmenter.transitionThreshold == 2.5)
        #expect(configuration.segmentation.minTransitionSeconds == 8)
        #expect(throws: ConfigurationError.self) {
            try AnalysisConfiguration.from(.object(["segmentation": .object(["sweepWeight": .number(1)])]))
        }
    }
}

/// Segmenting saved features gives exactly what analysing the recording gives.
@Suite struct SegmentCommandTests {
    static let lessons = CLI.repoRoot.appendingPathComponent("Fixtures/lessons")

    /// Every fixture lesson: the JSON (with signals), the features table and the bell-candidates table of
    /// `segment` equal `analyze`'s byte for byte; and with another setting, `segment` equals `analyze`
    /// run with that setting.
    @Test func segmentOnSavedFeaturesEqualsAnalyze() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.lessons.path)
            .filter { !$0.hasSuffix(".json") }.sorted()
        #expect(names.count >= 15)
        let config = dir.appendingPathComponent("c.json").path
        try #"{"segmenter": {"transitionThreshold": 2.4}, "bellDetector": {"bellMinConfidence": 0.7}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        for name in names {
            let lesson = Self.lessons.appendingPathComponent(name).path
            func outputs(_ tag: String) -> [String] {
                ["--format", "json", "--signals", "--output", dir.appendingPathComponent("\(tag).json").path,
                 "--features", dir.appendingPathComponent("\(tag).csv").path,
                 "--bell-candidates", dir.appendingPathComponent("\(tag).bells.csv").path, "--quiet"]
            }
            func same(_ a: String, _ b: String) throws -> Bool {
                try [".json", ".csv", ".bells.csv"].allSatisfy { ext in
                    try Data(contentsOf: dir.appendingPathComponent(a + ext)) == Data(contentsOf: dir.appendingPathComponent(b + ext))
                }
            }
            let saved = dir.appendingPathComponent("f.features").path
            #expect(try CLI.run(["analyze", lesson, "--save-features", saved] + outputs("a")).status == 0)
            #expect(try CLI.run(["segment", saved] + outputs("s")).status == 0)
            #expect(try same("a", "s"), "\(name): segment differs from analyze")
            #expect(try CLI.run(["analyze", lesson, "--config", config] + outputs("a2")).status == 0)
            #expect(try CLI.run(["segment", saved, "--config", config] + outputs("s2")).status == 0)
            #expect(try same("a2", "s2"), "\(name): segment --config differs from analyze --config")
        }
    }

    @Test func segmentRefusesWhatItCannotDo() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = dir.appendingPathComponent("f.features").path
        #expect(try CLI.run(["analyze", SettingsTests.lesson, "--save-features", saved, "--quiet"]).status == 0)
        let config = dir.appendingPathComponent("c.json").path
        try #"{"features": {"stepSeconds": 1}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let changed = try CLI.run(["segment", saved, "--config", config])
        #expect(changed.status == 64 && changed.stderrLines.count == 1 && changed.stderr.contains("features"), "\(changed.stderr)")
        let notFeatures = try CLI.run(["segment", SettingsTests.lesson])
        #expect(notFeatures.status == 65 && notFeatures.stderrLines.count == 1, "\(notFeatures.stderr)")
        // A features file damaged or edited by hand: one line and 65, never a trap in the segmenter.
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as! [String: Any]
        var lesson = json["lesson"] as! [String: Any], features = lesson["features"] as! [String: Any]
        let damages: [(String, Any)] = [("motion", [0.5]), ("stepSeconds", 0), ("audioDb", ["nan"])]
        for (key, value) in damages {
            var broken = features
            broken[key] = value
            lesson["features"] = broken
            json["lesson"] = lesson
            let path = dir.appendingPathComponent("broken.features").path
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
            let run = try CLI.run(["segment", path])
            #expect(run.status == 65 && run.stderrLines.count == 1 && run.stderr.contains("damaged"), "\(key): \(run.stderr)")
        }
        // Made by a build with a setting this one does not know: says so, rather than "damaged".
        lesson["features"] = features
        json["lesson"] = lesson
        var configuration = json["configuration"] as! [String: Any], group = configuration["features"] as! [String: Any]
        group["aSettingFromTheFuture"] = 1
        configuration["features"] = group
        json["configuration"] = configuration
        let future = dir.appendingPathComponent("future.features").path
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: future))
        let newer = try CLI.run(["segment", future])
        #expect(newer.status == 65 && newer.stderrLines.count == 1 && newer.stderr.contains("features.aSettingFromTheFuture")
                && newer.stderr.contains("analyse the recording again"), "\(newer.stderr)")
        let missing = try CLI.run(["segment", dir.appendingPathComponent("none").path])
        #expect(missing.status == 66 && missing.stderrLines.count == 1, "\(missing.stderr)")
    }

    /// `segment --score-trees` (a fit's folds): the fitted trees written out give the same result as the built-in
    /// ones, other trees change it, and a file that is not trees is one line and 64.
    @Test func segmentTakesTheScoreTreesOfAFit() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = dir.appendingPathComponent("f.features").path
        #expect(try CLI.run(["analyze", SettingsTests.lesson, "--save-features", saved, "--quiet"]).status == 0)
        func segments(_ options: [String]) throws -> [[String: Any]] {
            let out = dir.appendingPathComponent("r.json")
            let run = try CLI.run(["segment", saved, "--format", "json", "--output", out.path, "--quiet"] + options)
            #expect(run.status == 0, "\(run.stderr)")
            let result = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as! [String: Any]
            return result["segments"] as! [[String: Any]]
        }
        func write(_ trees: ScoreTrees, _ name: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try JSONEncoder().encode(trees).write(to: URL(fileURLWithPath: path))
            return path
        }
        let builtIn = try segments([])
        #expect(builtIn.contains { $0["kind"] as? String == "transition" } && builtIn.contains { $0["kind"] as? String != "transition" })
        let fitted = try write(ScoreTrees.fitted, "fitted.json")
        #expect(NSArray(array: try segments(["--score-trees", fitted])) == NSArray(array: builtIn))
        // Trees that call every step on task: no transition is left.
        let calm = BoostedTrees(base: -12, roots: [0], feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0])
        let onTask = try segments(["--score-trees", try write(ScoreTrees(withSound: calm, pictureOnly: calm, soundOnly: calm), "calm.json")])
        #expect(!onTask.contains { $0["kind"] as? String == "transition" }, "\(onTask)")
        let bad = try CLI.run(["segment", saved, "--score-trees", saved])
        #expect(bad.status == 64 && bad.stderrLines.count == 1 && bad.stderr.contains("score trees"), "\(bad.stderr)")
        // Mutated trees: a split whose child is itself (a walk without end), a split on an input the score lacks
        // (out of range), a leaf too large to sum: refused when read, never a hang or a trap.
        let split = { (feature: Int, left: Int, value: Double) in
            BoostedTrees(base: 0, roots: [0], feature: [feature, -1, -1], threshold: [0, 0, 0], left: [left, -1, -1],
                         right: [2, -1, -1], value: [0, value, 1])
        }
        for (name, trees) in [("cycle", split(0, 0, 1)), ("input", split(99, 1, 1)), ("huge", split(0, 1, 1e300))] {
            // Each mutation in each of the three sets.
            for (k, set) in [ScoreTrees(withSound: trees, pictureOnly: calm, soundOnly: calm),
                             ScoreTrees(withSound: calm, pictureOnly: trees, soundOnly: calm),
                             ScoreTrees(withSound: calm, pictureOnly: calm, soundOnly: trees)].enumerated() {
                let path = try write(set, "\(name)\(k).json")
                let run = try CLI.run(["segment", saved, "--score-trees", path])
                #expect(run.status == 64 && run.stderrLines.count == 1, "\(name) in set \(k): \(run.status) \(run.stderr)")
            }
        }
        // A file of the two sets before the sound's own (no soundOnly): refused, one line.
        let path = dir.appendingPathComponent("withoutSoundOnly.json").path
        let three = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(ScoreTrees.fitted)) as! [String: Any]
        try JSONSerialization.data(withJSONObject: three.filter { $0.key != "soundOnly" }).write(to: URL(fileURLWithPath: path))
        let two = try CLI.run(["segment", saved, "--score-trees", path])
        #expect(two.status == 64 && two.stderrLines.count == 1, "\(two.status) \(two.stderr)")
        // The kinds' trees: the fitted ones written out give the built-in result; trees that always say group
        // leave no other kind on task; a file that is not kind trees, or mutated ones, is one line and 64.
        func writeKinds(_ trees: KindTrees, _ name: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try JSONEncoder().encode(trees).write(to: URL(fileURLWithPath: path))
            return path
        }
        #expect(NSArray(array: try segments(["--kind-trees", try writeKinds(KindTrees.fitted, "kinds.json")])) == NSArray(array: builtIn))
        let sure = BoostedTrees(base: 12, roots: [0], feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0])
        let group = try segments(["--kind-trees", try writeKinds(KindTrees(independent: calm, instruction: calm, group: sure), "group.json")])
        #expect(group.allSatisfy { ["group", "transition", "unknown"].contains($0["kind"] as? String) }
                && group.contains { $0["kind"] as? String == "group" }, "\(group)")
        let notKinds = try CLI.run(["segment", saved, "--kind-trees", fitted])
        #expect(notKinds.status == 64 && notKinds.stderrLines.count == 1 && notKinds.stderr.contains("kind trees"), "\(notKinds.stderr)")
        let outOfRange = split(KindTrees.inputCount, 1, 1)
        let mutated = try CLI.run(["segment", saved, "--kind-trees",
                                   try writeKinds(KindTrees(independent: calm, instruction: outOfRange, group: calm), "mutated.json")])
        #expect(mutated.status == 64 && mutated.stderrLines.count == 1, "\(mutated.status) \(mutated.stderr)")
    }
}
