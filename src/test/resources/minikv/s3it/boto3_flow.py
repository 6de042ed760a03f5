"""boto3 against minikv's S3 endpoint: put, get, head, list, copy, multipart, delete_objects, a presigned GET.

Run by S3ClientsIT with the endpoint and keys in the environment; the argument is the bucket.
"""
import hashlib
import os
import sys
import urllib.request

import boto3
from botocore.config import Config

bucket = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1",
                  # Older botocore presigns with signature version 2 unless told; minikv takes version 4 only.
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))

s3.create_bucket(Bucket=bucket)
value = os.urandom(300_000)
put = s3.put_object(Bucket=bucket, Key="dir/value.bin", Body=value, ContentType="application/x-test",
                    Metadata={"origin": "boto3"})
assert put["ETag"] == '"%s"' % hashlib.md5(value).hexdigest(), put["ETag"]

got = s3.get_object(Bucket=bucket, Key="dir/value.bin")
assert got["Body"].read() == value
assert got["ContentType"] == "application/x-test", got["ContentType"]
assert got["Metadata"] == {"origin": "boto3"}, got["Metadata"]
assert s3.head_object(Bucket=bucket, Key="dir/value.bin")["ContentLength"] == len(value)
part = s3.get_object(Bucket=bucket, Key="dir/value.bin", Range="bytes=10-19")["Body"].read()
assert part == value[10:20]

for name in ["dir/a", "dir/b", "other"]:
    s3.put_object(Bucket=bucket, Key=name, Body=name.encode())
listed = s3.list_objects_v2(Bucket=bucket, Prefix="dir/", Delimiter="/")
assert [o["Key"] for o in listed["Contents"]] == ["dir/a", "dir/b", "dir/value.bin"], listed
top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["dir/"], top

copied = s3.copy_object(Bucket=bucket, Key="dir/copy.bin", CopySource={"Bucket": bucket, "Key": "dir/value.bin"})
assert copied["CopyObjectResult"]["ETag"] == put["ETag"], copied
assert s3.get_object(Bucket=bucket, Key="dir/copy.bin")["Metadata"] == {"origin": "boto3"}

big = os.urandom(11 << 20)
upload = s3.create_multipart_upload(Bucket=bucket, Key="multi.bin")["UploadId"]
parts = []
for number, start in enumerate(range(0, len(big), 5 << 20), 1):
    etag = s3.upload_part(Bucket=bucket, Key="multi.bin", UploadId=upload, PartNumber=number,
                          Body=big[start:start + (5 << 20)])["ETag"]
    parts.append({"PartNumber": number, "ETag": etag})
assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="multi.bin", UploadId=upload)["Parts"]] == [1, 2, 3]
done = s3.complete_multipart_upload(Bucket=bucket, Key="multi.bin", UploadId=upload, MultipartUpload={"Parts": parts})
assert done["ETag"].endswith('-3"'), done["ETag"]
assert s3.get_object(Bucket=bucket, Key="multi.bin")["Body"].read() == big
s3.delete_object(Bucket=bucket, Key="multi.bin")

url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "other"}, ExpiresIn=300)
with urllib.request.urlopen(url) as answer:
    assert answer.read() == b"other"

names = ["dir/a", "dir/b", "dir/copy.bin", "dir/value.bin", "other"]
deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in names]})
assert sorted(d["Key"] for d in deleted["Deleted"]) == names, deleted
assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
s3.delete_bucket(Bucket=bucket)
print("boto3 flow passed")
