"""Prepares the request-checking moto for the ECR tests: an IAM user allowed ecr:GetAuthorizationToken, with an
access key. moto checks nothing for the first INITIAL_NO_AUTH_ACTION_COUNT requests, exactly the four made here;
from then on every request needs a valid SigV4 signature by a key moto knows. Prints `KEY_ID SECRET`."""
import json
import sys

import boto3

endpoint = sys.argv[1]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bootstrap",
                   aws_secret_access_key="bootstrap")
iam.create_user(UserName="ossb-ecr")
key = iam.create_access_key(UserName="ossb-ecr")["AccessKey"]
policy = iam.create_policy(PolicyName="ossb-ecr-token", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "sts:AssumeRole"], "Resource": "*"}],
}))
iam.attach_user_policy(UserName="ossb-ecr", PolicyArn=policy["Policy"]["Arn"])
print(key["AccessKeyId"], key["SecretAccessKey"])
