// Preloaded into s3rver (node --require) by floe's tests and benchmarks.
//
// s3rver 3.x answers a PUT once the body has passed through its MD5 transform, before the file
// stream has finished writing (FilesystemStore.putObject resolves on the transform's 'finish', not
// the write stream's). A GET sent right after the answer can then read an empty or partial object:
// io_s3_test saw "" for an object just written, once, under load. Real S3 is strongly
// read-after-write consistent, so the test server must be too: this putObject answers only after
// the bytes are in the file. Everything else in s3rver is unchanged.
'use strict'

const crypto = require('crypto')
const fs = require('fs')
const path = require('path')
const { Transform, pipeline } = require('stream')

const FilesystemStore = require(
  path.join(path.dirname(process.argv[1]), '..', 'lib', 'stores', 'filesystem.js'))

FilesystemStore.prototype.putObject = async function putObject (object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object')
  await fs.promises.mkdir(path.dirname(objectPath), { recursive: true })
  const md5 = crypto.createHash('md5')
  let size = 0
  if (Buffer.isBuffer(object.content)) {
    await fs.promises.writeFile(objectPath, object.content)
    md5.update(object.content)
    size = object.content.length
  } else {
    await new Promise((resolve, reject) => {
      const count = new Transform({
        transform (chunk, encoding, callback) {
          md5.update(chunk, encoding)
          size += chunk.length
          callback(null, chunk)
        }
      })
      // pipeline calls back after the write stream has finished (and closed) or on any error.
      pipeline(object.content, count, fs.createWriteStream(objectPath),
        (err) => (err ? reject(err) : resolve()))
    })
  }
  const digest = md5.digest('hex')
  await this.putMetadata(object.bucket, object.key, object.metadata, digest)
  return { size, md5: digest }
}
