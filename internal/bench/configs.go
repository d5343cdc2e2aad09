package main

import (
	"fmt"
	"strings"
)

// pinsPerFolder is how many cliq_chat_pin resources pin into each folder.
const pinsPerFolder = 5

// cliqConfig is `folders` cliq_pin_folder resources, each with pinsPerFolder cliq_chat_pin
// resources that pin a distinct chat into it (folder_id from the folder, no pin_above).
func cliqConfig(folders int) string {
	return cliqHeader + fmt.Sprintf(`
resource "cliq_pin_folder" "f" {
  count  = %[1]d
  title  = "Bench folder ${count.index}"
  symbol = ":smile:"
}

resource "cliq_chat_pin" "p" {
  count     = %[1]d * %[2]d
  folder_id = cliq_pin_folder.f[floor(count.index / %[2]d)].id
  chat_id   = format("1488288613%%09d", count.index)
}
`, folders, pinsPerFolder)
}

const cliqHeader = `terraform {
  required_providers {
    cliq = {
      source = "cliq-tf/cliq"
    }
  }
}

# api_url, access_token, the time scale and the budget directory come from CLIQ_* variables.
provider "cliq" {}
`

// cliqSeparateConfig is the same account as cliqConfig written with one resource block per folder
// and per pin. Terraform orders resources by configuration block, not by instance: with count,
// every pin waits for every folder (and on destroy every folder for every pin); with separate
// blocks a pin waits only for its own folder, so only the rate limits order the requests.
func cliqSeparateConfig(folders int) string {
	return separateConfig(cliqHeader, folders,
		func(f int) string {
			return fmt.Sprintf("resource \"cliq_pin_folder\" \"f%d\" {\n  title  = \"Bench folder %d\"\n  symbol = \":smile:\"\n}\n", f, f)
		},
		func(f, p, chat int) string {
			return fmt.Sprintf("resource \"cliq_chat_pin\" \"f%d_p%d\" {\n  folder_id = cliq_pin_folder.f%d.id\n  chat_id   = \"1488288613%09d\"\n}\n", f, p, f, chat)
		})
}

// separateConfig writes a block per folder and per pin (pinsPerFolder to a folder) after header.
func separateConfig(header string, folders int, folder func(f int) string, pin func(f, p, chat int) string) string {
	var sb strings.Builder
	sb.WriteString(header)
	for f := range folders {
		sb.WriteString("\n" + folder(f))
		for p := range pinsPerFolder {
			sb.WriteString("\n" + pin(f, p, f*pinsPerFolder+p))
		}
	}
	return sb.String()
}

// baselineConfig has the same number of resources and the same dependency shape with the builtin
// terraform_data: what Terraform itself costs, without any provider.
func baselineConfig(folders int) string {
	return fmt.Sprintf(`resource "terraform_data" "f" {
  count = %[1]d
  input = {
    title  = "Bench folder ${count.index}"
    symbol = ":smile:"
  }
}

resource "terraform_data" "p" {
  count = %[1]d * %[2]d
  input = {
    folder_id = terraform_data.f[floor(count.index / %[2]d)].id
    chat_id   = format("1488288613%%09d", count.index)
  }
}
`, folders, pinsPerFolder)
}

// sidebarConfig is the typical sidebar (sidebarFolders folders of sidebarPerFolder pins, and
// sidebarMyPins pins in My Pins), a block per resource, after header. With null set, the same
// graph with benchnull_thing (input standing for every attribute).
func sidebarConfig(header string, null bool) string {
	var sb strings.Builder
	sb.WriteString(header)
	chat := 0
	for f := range sidebarFolders {
		if null {
			fmt.Fprintf(&sb, "\nresource \"benchnull_thing\" \"f%d\" {\n  input = \"Sidebar folder %d\"\n}\n", f, f)
		} else {
			fmt.Fprintf(&sb, "\nresource \"cliq_pin_folder\" \"f%d\" {\n  title  = \"Sidebar folder %d\"\n  symbol = \":smile:\"\n}\n", f, f)
		}
		for p := range sidebarPerFolder {
			if null {
				fmt.Fprintf(&sb, "\nresource \"benchnull_thing\" \"f%d_p%d\" {\n  input = \"${benchnull_thing.f%d.id}/1488288613%09d\"\n}\n", f, p, f, chat)
			} else {
				fmt.Fprintf(&sb, "\nresource \"cliq_chat_pin\" \"f%d_p%d\" {\n  folder_id = cliq_pin_folder.f%d.id\n  chat_id   = \"1488288613%09d\"\n}\n", f, p, f, chat)
			}
			chat++
		}
	}
	for p := range sidebarMyPins {
		if null {
			fmt.Fprintf(&sb, "\nresource \"benchnull_thing\" \"my_p%d\" {\n  input = \"1488288613%09d\"\n}\n", p, chat)
		} else {
			fmt.Fprintf(&sb, "\nresource \"cliq_chat_pin\" \"my_p%d\" {\n  chat_id = \"1488288613%09d\"\n}\n", p, chat)
		}
		chat++
	}
	return sb.String()
}
