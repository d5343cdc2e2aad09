# A pin is imported as <folder_id>/<chat_id>; use "default" for My Pins.
terraform import cliq_chat_pin.design 4000000020001/CT_1207124526552602256_60002085329-T-1291567019566818579

# The chat id alone works when the chat is pinned in exactly one folder.
terraform import cliq_chat_pin.design CT_1207124526552602256_60002085329-T-1291567019566818579
