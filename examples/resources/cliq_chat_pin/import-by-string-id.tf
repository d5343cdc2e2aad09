# Adopt a chat already pinned in a folder: "<folder_id>/<chat_id>", or
# "default/<chat_id>" for My Pins. `terraform plan -generate-config-out=x.tf`
# writes the resource block for you.
import {
  to = cliq_chat_pin.design
  id = "4000000020001/CT_1207124526552602256_60002085329-T-1291567019566818579"
}
