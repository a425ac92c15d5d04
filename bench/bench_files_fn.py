"""The copy function of bench_files.py's pipelines, importable by name in Ray workers."""
import shutil


def copy(input_dir, output_dir):
    shutil.copyfile(input_dir / "f.bin", output_dir / "g.bin")
    return {"g.bin": output_dir / "g.bin"}
