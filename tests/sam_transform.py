"""Prints the CloudFormation that the SAM translator makes of a template, as JSON.

Run with the SAM CLI's own Python (`uv tool run --from aws-sam-cli==... python`), where
`samtranslator` lives; code locations are replaced by S3 ones, as `sam package` does.
"""

import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    def load(self) -> dict:
        return {}


def main(path: str) -> None:
    with open(path) as source:
        template = yaml_parse(source.read())
    for resource in template["Resources"].values():
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = "s3://packaged/code.zip"
    print(json.dumps(transform(template, {}, NoManagedPolicies())))


if __name__ == "__main__":
    main(sys.argv[1])
