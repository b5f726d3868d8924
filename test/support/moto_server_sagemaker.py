"""moto's server, with UpdateModelPackage as SageMaker documents it.

moto's UpdateModelPackage sets every member the request leaves out to nothing: an update that only changes a
version's ModelLifeCycle (what Slipway's deploy sends) would reset its approval status, approval description
and customer metadata. SageMaker leaves members a request does not name unchanged, so this launcher keeps them
before starting moto's own server. (moto does not keep ModelLifeCycle at all; the tests that read it run on the
local server.)
"""

import sys

from moto.sagemaker.models import SageMakerModelBackend
from moto.server import main

_update_model_package = SageMakerModelBackend.update_model_package


def update_model_package(self, model_package_arn, model_approval_status, approval_description,
                         customer_metadata_properties, *args, **kwargs):
    package = self.model_packages.get(self.model_package_name_mapping.get(model_package_arn, model_package_arn))
    if package is not None:
        if model_approval_status is None:
            model_approval_status = package.model_approval_status
        if approval_description is None:
            approval_description = package.approval_description
        if customer_metadata_properties is None:
            customer_metadata_properties = package.customer_metadata_properties
    return _update_model_package(self, model_package_arn, model_approval_status, approval_description,
                                 customer_metadata_properties, *args, **kwargs)


SageMakerModelBackend.update_model_package = update_model_package

if __name__ == "__main__":
    main(sys.argv[1:])
