import {
  to = cliq_pin_folder.example
  id = "4000000020001"
}
