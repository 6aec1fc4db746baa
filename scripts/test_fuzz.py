#!/usr/bin/env python3
"""Fast checks of scripts/fuzz.py without running bellwork: `python3 scripts/test_fuzz.py` (about a second).

Cases are the same for the same seed and case number (what makes a run resumable and a case
reproducible), the structure-aware mutators write what they say, and the outcome rules follow the
contract (exit 0 with JSON, or 65/66 with one stderr line naming the file)."""
import os, struct, sys, unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzz  # noqa: E402

FIXTURES = os.path.join(fuzz.ROOT, "Fixtures")


class Cases(unittest.TestCase):
    seeds = fuzz.seed_files(os.path.join(os.path.dirname(fuzz.ROOT), "no-shared-folder"))

    def test_seeds_are_media_files_of_the_fixtures(self):
        self.assertTrue(self.seeds)
        self.assertTrue(all(os.path.splitext(s)[1] in fuzz.MEDIA_EXTENSIONS for s in self.seeds))
        self.assertIn(os.path.join(FIXTURES, "sample-lesson.mp4"), self.seeds)

    def test_a_case_is_the_same_every_time(self):
        for number in (0, 1, 17, 123):
            self.assertEqual(fuzz.make_case(5, number, self.seeds), fuzz.make_case(5, number, self.seeds))

    def test_seeds_and_case_numbers_give_other_cases(self):
        cases = {fuzz.make_case(seed, number, self.seeds)[0] for seed in (1, 2) for number in range(10)}
        self.assertGreater(len(cases), 15)

    def test_inputs_stay_small(self):
        for number in range(40):
            data = fuzz.make_case(1, number, self.seeds)[0]
            self.assertLess(len(data), 2 * fuzz.MAX_SEED_BYTES)


class Structure(unittest.TestCase):
    def test_mp4_boxes_of_the_sample_lesson(self):
        with open(os.path.join(FIXTURES, "sample-lesson.mp4"), "rb") as f:
            kinds = {b[3] for b in fuzz.mp4_boxes(bytearray(f.read()))}
        self.assertTrue({b"ftyp", b"moov", b"mdhd", b"stts", b"mdat"} <= kinds)

    def test_matroska_elements_of_the_webm_lesson(self):
        with open(os.path.join(FIXTURES, "lessons", "noisy_group_work.webm"), "rb") as f:
            ids = {e[1] for e in fuzz.mkv_elements(bytearray(f.read()))}
        self.assertTrue({0x1A45DFA3, 0x18538067, 0x1F43B675, 0xE7, 0xA3} <= ids)

    def test_ts_timestamps_round_trip(self):
        d = bytearray(b"\x21\x00\x01\x00\x01")
        for v in (0, 1, 90000, (1 << 33) - 1, 123456789):
            fuzz.ts_put(d, 0, v)
            self.assertEqual(fuzz.ts_get(d, 0), v)

    def test_ogg_crc_of_a_known_page(self):
        page = bytearray(b"OggS\x00\x02" + bytes(8) + b"\x01\x00\x00\x00" + bytes(4) + bytes(4) + b"\x01\x03abc")
        crc = fuzz.ogg_crc(bytes(page))
        struct.pack_into("<I", page, 22, crc)
        struct.pack_into("<I", page, 22, 0)
        self.assertEqual(fuzz.ogg_crc(bytes(page)), crc)
        self.assertNotEqual(crc, 0)


class Outcomes(unittest.TestCase):
    def classify(self, code, stdout=b"", stderr="", elapsed=1.0, killed=False, rss=50 << 20):
        return fuzz.classify("/tmp/x/case-000001.mp4", code, killed, elapsed, 60.0, rss, stdout, stderr)[0]

    def test_contract(self):
        self.assertEqual(self.classify(0, b'{"a": 1}'), "ok")
        self.assertEqual(self.classify(0, b'{"a": NaN}'), "violation")
        self.assertEqual(self.classify(0, b"{"), "violation")
        self.assertEqual(self.classify(65, stderr="error: case-000001.mp4: not media\n"), "ok")
        self.assertEqual(self.classify(65, stderr="error: not media\n"), "violation")
        self.assertEqual(self.classify(65, stderr="case-000001.mp4: a\ncase-000001.mp4: b\n"), "violation")
        self.assertEqual(self.classify(1, stderr="case-000001.mp4: x\n"), "violation")

    def test_signals_time_and_memory(self):
        self.assertEqual(self.classify(-11), "crash")
        self.assertEqual(self.classify(-6, stderr="fatal error: Could not allocate memory.\n"), "runaway")
        self.assertEqual(self.classify(-9, rss=900 << 20), "runaway")
        refused = "bellwork: case-000001.mp4: not a recording (avformat_open_input: Cannot allocate memory)\n"
        self.assertEqual(self.classify(65, stderr=refused), "ok")
        self.assertEqual(self.classify(65, stderr=refused, rss=800 << 20), "runaway")
        self.assertEqual(self.classify(0, b"{}", elapsed=61), "runaway")
        self.assertEqual(self.classify(-9, killed=True, elapsed=75), "hang")


if __name__ == "__main__":
    unittest.main()
