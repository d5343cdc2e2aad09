# Static access token (for example from a Zoho Self Client), read from the
# environment: export CLIQ_ACCESS_TOKEN=...
provider "cliq" {
  data_center = "eu"
}

# Long-running use: an OAuth refresh token. The provider exchanges it for
# access tokens at the data centre's accounts server and refreshes them only
# when they expire.
provider "cliq" {
  alias         = "refresh"
  data_center   = "us"
  client_id     = var.cliq_client_id
  client_secret = var.cliq_client_secret
  refresh_token = var.cliq_refresh_token
}

variable "cliq_client_id" {
  type = string
}

variable "cliq_client_secret" {
  type      = string
  sensitive = true
}

variable "cliq_refresh_token" {
  type      = string
  sensitive = true
}
