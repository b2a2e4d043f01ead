"""Prepares the request-checking moto for the ECR tests: an IAM user allowed ecr:GetAuthorizationToken, with an
access key, and a role `ecr-puller` allowed the same. moto checks nothing for the first INITIAL_NO_AUTH_ACTION_COUNT
requests, exactly the six unsigned ones made here; from then on every request needs a valid SigV4 signature by a
key moto knows (and, for temporary credentials, their session token). The user then assumes the role (a checked
request), giving the temporary credentials the SSO portal stand-in hands out for that role.
Prints `KEY_ID SECRET ROLE_KEY_ID ROLE_SECRET ROLE_SESSION_TOKEN`."""
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
role = iam.create_role(RoleName="ecr-puller", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}))
iam.attach_role_policy(RoleName="ecr-puller", PolicyArn=policy["Policy"]["Arn"])
sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                   aws_secret_access_key=key["SecretAccessKey"])
session = sts.assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="ossb-sso", DurationSeconds=43200)
temporary = session["Credentials"]
print(key["AccessKeyId"], key["SecretAccessKey"], temporary["AccessKeyId"], temporary["SecretAccessKey"],
      temporary["SessionToken"])
