"""The SageMaker scikit-learn container's defaults (sagemaker-definition.md §4.3).

JSON and CSV requests become float32 numpy arrays, NPY loads without pickles, NPZ is a sparse matrix;
`model.predict`; JSON, CSV or NPY out according to Accept. The container has no default model loader. An
unsupported content type is a 415 and an unsupported Accept a 406, as that container answers them.
"""
from .. import formats

UNSUPPORTED_CONTENT_TYPE_STATUS = 415
UNSUPPORTED_ACCEPT_STATUS = 406
HANDLER_ERROR_STATUS = None


def model_fn(_model_dir):
    raise NotImplementedError(
        "Please provide a model_fn implementation: the scikit-learn container has no default model loader."
    )


def input_fn(body, content_type):
    return formats.decode(body, content_type)


def predict_fn(data, model):
    return model.predict(data)


def output_fn(prediction, accept):
    return formats.encode(prediction, accept)
